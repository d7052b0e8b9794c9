// Running TTS engines (and spm_train) as child processes without a shell: arguments go straight to execve, text goes
// through files or stdin, so nothing in a sentence can be interpreted as a command.
#pragma once

#include <string>
#include <vector>

namespace rwkvt::data {

// Full path of `name` found on $PATH, or "" if it is not installed.
std::string find_program(const std::string& name);

struct ProcessResult {
    int exit_code = -1;  // the program's status, or 128 + signal if it was killed
    std::string stderr_tail;  // last part of its stderr, for error messages
};

// Runs argv[0] (looked up on $PATH) with stdin from `stdin_path` ("" = /dev/null), stderr into
// `stderr_path` and stdout into `stdout_path` ("" = discarded). Throws std::runtime_error only if the
// process cannot be started at all.
ProcessResult run_program(const std::vector<std::string>& argv, const std::string& stdin_path, const std::string& stderr_path,
                          const std::string& stdout_path = "");

}  // namespace rwkvt::data
