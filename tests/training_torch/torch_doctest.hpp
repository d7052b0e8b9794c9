// LibTorch and doctest in one test file. LibTorch pulls in glog, whose CHECK, CHECK_EQ, ... macros
// would replace doctest's (a failed check would then abort the whole suite): include torch first,
// drop glog's names, then doctest.
#pragma once

#include <torch/torch.h>

#undef CHECK
#undef CHECK_EQ
#undef CHECK_NE
#undef CHECK_LT
#undef CHECK_LE
#undef CHECK_GT
#undef CHECK_GE

#include <doctest/doctest.h>
