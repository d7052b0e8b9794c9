// Levenshtein alignment of two sequences with a backtrace, counting the substitutions, deletions
// and insertions of one minimal alignment (unit costs). Generic so words and characters share it.
#pragma once

#include <algorithm>
#include <cstddef>
#include <vector>

namespace rwkvt {

struct EditCounts {
    long substitutions = 0, deletions = 0, insertions = 0;
};

// Turns `ref` into `hyp`. O(|ref| |hyp|) time and memory (utterances are short). Among minimal
// alignments the backtrace prefers match/substitution, then deletion, then insertion, so the split
// into S/D/I is deterministic.
template <typename T>
EditCounts align_counts(const std::vector<T>& ref, const std::vector<T>& hyp) {
    const size_t n = ref.size(), m = hyp.size();
    // cost[i][j]: edits between ref[0, i) and hyp[0, j), stored row-major.
    std::vector<long> cost((n + 1) * (m + 1));
    auto at = [&](size_t i, size_t j) -> long& { return cost[i * (m + 1) + j]; };
    for (size_t i = 0; i <= n; ++i) at(i, 0) = static_cast<long>(i);
    for (size_t j = 0; j <= m; ++j) at(0, j) = static_cast<long>(j);
    for (size_t i = 1; i <= n; ++i)
        for (size_t j = 1; j <= m; ++j)
            at(i, j) = std::min({at(i - 1, j - 1) + (ref[i - 1] == hyp[j - 1] ? 0 : 1), at(i - 1, j) + 1, at(i, j - 1) + 1});

    EditCounts counts;
    size_t i = n, j = m;
    while (i > 0 || j > 0) {
        if (i > 0 && j > 0 && at(i, j) == at(i - 1, j - 1) + (ref[i - 1] == hyp[j - 1] ? 0 : 1)) {
            if (!(ref[i - 1] == hyp[j - 1])) ++counts.substitutions;
            --i, --j;
        } else if (i > 0 && at(i, j) == at(i - 1, j) + 1) {
            ++counts.deletions;
            --i;
        } else {
            ++counts.insertions;
            --j;
        }
    }
    return counts;
}

}  // namespace rwkvt
