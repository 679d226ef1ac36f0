// libsystemc.so calls sc_main from its own main(); accsim's executables have their own
// main() and drive the kernel with sc_start, so this entry point is never used.
#include <systemc>

int sc_main(int, char*[]) { return 0; }
