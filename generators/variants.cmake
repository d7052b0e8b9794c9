# Kernel variants: one build of every inference kernel per CPU target, chosen at run time by the
# runtime's dispatcher (runtime/src/kernel_set.cpp), which must know the same variant names.
#
# A variant's Halide target is written with its full feature list, so that a schedule file can
# state exactly which target it was tuned for (schedules/<variant>.json).

set(rwkvt_known_variants sse41 avx2 avx512 avx512_bf16 avx512_amx arm64)

# rwkvt_variant_target(<variant> <out_var>): the Halide target string of a variant.
function(rwkvt_variant_target variant out_var)
    if (variant STREQUAL "sse41")
        set(target "x86-64-linux-sse41")
    elseif (variant STREQUAL "avx2")
        set(target "x86-64-linux-avx-avx2-f16c-fma-sse41")
    elseif (variant STREQUAL "avx512")
        # Skylake server: AVX-512 F, CD, VL, BW, DQ.
        set(target "x86-64-linux-avx-avx2-avx512-avx512_skylake-f16c-fma-sse41")
    elseif (variant STREQUAL "avx512_bf16")
        # Sapphire Rapids: the Skylake and Cannon Lake sets plus VNNI and BF16 (vdpbf16ps).
        set(target "x86-64-linux-avx-avx2-avx512-avx512_cannonlake-avx512_sapphirerapids-avx512_skylake-f16c-fma-sse41")
    elseif (variant STREQUAL "avx512_amx")
        # The same instruction sets plus the AMX tile unit, which Halide 14 reaches through the
        # sapphirerapids feature too; the gemm kernels are told to use it (rwkvt_variant_params).
        set(target "x86-64-linux-avx-avx2-avx512-avx512_cannonlake-avx512_sapphirerapids-avx512_skylake-f16c-fma-sse41")
    elseif (variant STREQUAL "arm64")
        set(target "arm-64-linux")
    else ()
        message(FATAL_ERROR "unknown kernel variant '${variant}' (known: ${rwkvt_known_variants})")
    endif ()
    set(${out_var} "${target}" PARENT_SCOPE)
endfunction()

# rwkvt_variant_bf16_products(<variant> <out_var>): how a variant's GEMMs multiply bf16 weights:
# "amx" (the AMX tile unit for several tokens, vdpbf16ps for one), "vdpbf16ps" (pairs of bf16: the
# activations are rounded to bf16 too) or "f32" (the weights widened to f32, f32 activations). The
# runtime reports it (KernelVariantInfo::bf16_products); the benchmark picks the peak it measures
# against from it.
function(rwkvt_variant_bf16_products variant out_var)
    rwkvt_variant_target(${variant} target)
    if (variant STREQUAL "avx512_amx")
        set(products "amx")
    elseif (target MATCHES "avx512_sapphirerapids")  # gemm.cpp pairs bf16 inputs on this feature
        set(products "vdpbf16ps")
    else ()
        set(products "f32")
    endif ()
    set(${out_var} "${products}" PARENT_SCOPE)
endfunction()

# rwkvt_variant_params(<variant> <generator> <out_var>): generator parameters a variant fixes beyond
# its target (what the Halide target cannot say): the gemm kernels of a variant whose bf16 products
# run on the AMX tile unit are told so.
function(rwkvt_variant_params variant generator out_var)
    rwkvt_variant_bf16_products(${variant} products)
    set(params "")
    if (products STREQUAL "amx" AND generator STREQUAL "gemm")
        set(params "amx=true")
    endif ()
    set(${out_var} "${params}" PARENT_SCOPE)
endfunction()

# The default: every variant of the build machine's architecture, best first (the dispatcher takes
# the first one the CPU can run; the last is the baseline every CPU of the architecture runs).
if (CMAKE_SYSTEM_PROCESSOR MATCHES "^(x86_64|AMD64|amd64)$")
    set(rwkvt_default_variants avx512_amx avx512_bf16 avx512 avx2 sse41)
elseif (CMAKE_SYSTEM_PROCESSOR MATCHES "^(aarch64|arm64)$")
    set(rwkvt_default_variants arm64)
else ()
    message(FATAL_ERROR "rwkvt has kernel variants for x86-64 and AArch64, not for '${CMAKE_SYSTEM_PROCESSOR}'")
endif ()
set(RWKVT_KERNEL_VARIANTS "${rwkvt_default_variants}" CACHE STRING
    "Kernel variants to build, best first (of: ${rwkvt_known_variants})")
foreach (variant IN LISTS RWKVT_KERNEL_VARIANTS)
    rwkvt_variant_target(${variant} unused)  # rejects unknown names at configure time
endforeach ()
