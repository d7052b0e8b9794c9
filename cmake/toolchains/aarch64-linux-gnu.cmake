# Cross-compiling for 64-bit Arm Linux with Debian's cross toolchain (g++-aarch64-linux-gnu); test
# programs run under qemu-user. tools/setup-arm64.sh installs both and unpacks the arm64 build of
# yaml-cpp into RWKVT_ARM64_DEPS (default build/arm64-deps). Used by the kernels-arm64 preset.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(CMAKE_C_COMPILER aarch64-linux-gnu-gcc)
set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
set(CMAKE_LIBRARY_ARCHITECTURE aarch64-linux-gnu)
# Compiled arm64 libraries come from the unpacked folder only; header-only packages (Eigen,
# nlohmann-json, doctest) are architecture-independent and found on the host.
set(RWKVT_ARM64_DEPS "${CMAKE_CURRENT_LIST_DIR}/../../build/arm64-deps" CACHE PATH "arm64 libraries unpacked by tools/setup-arm64.sh")
set(CMAKE_FIND_ROOT_PATH "${RWKVT_ARM64_DEPS}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE BOTH)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE BOTH)
# The C library and loader of the cross toolchain; the unpacked libraries are found through the
# test programs' build RPATH.
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L /usr/aarch64-linux-gnu)
