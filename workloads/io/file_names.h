#pragma once
// Names of files a run writes beside a target (its temporaries, its checkpoint): the
// target's name plus a suffix, shortened when that would pass the file-name limit
// (NAME_MAX: 255 bytes on Linux file systems), so that a legal target name never makes
// them fail. A shortened name keeps the target name's first bytes and adds a hash of the
// whole name: one target always gets the same name, two targets different ones.
#include <cstddef>
#include <string>

namespace accsim {

std::string name_beside(const std::string& target, const std::string& suffix);

// The longest file name the directory `dir` ("" for the working directory) takes:
// pathconf(_PC_NAME_MAX), 255 when the system does not say.
std::size_t file_name_limit(const std::string& dir);

}  // namespace accsim
