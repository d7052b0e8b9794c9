# cmake -DFILE=<schedule file> -DVARIANT=<name> -DTARGET=<halide target> -DVERSION=<n> -P read_schedule.cmake
# Reads a schedule file as the build does and prints each kernel's parameters (or the build's error).
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/../../schedules/schedules.cmake)
set(kernels gemm_plain wkv7_n32 joiner)
rwkvt_read_schedule(FILE ${FILE} VARIANT ${VARIANT} TARGET ${TARGET} VERSION ${VERSION} KERNELS ${kernels} PREFIX tuned)
foreach (kernel IN LISTS kernels)
    message(STATUS "${kernel}: [${tuned_${kernel}}]")
endforeach ()
