// The version of the generators' schedule parameters. Schedule files (schedules/*.json) record the
// version they were tuned for and the build rejects any other: bump it whenever a generator's
// algorithm or the meaning of one of its schedule parameters changes.
#pragma once

namespace rwkvt_gen {
constexpr int kScheduleVersion = 1;
}  // namespace rwkvt_gen
