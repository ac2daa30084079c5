// SPDX-License-Identifier: MIT
#pragma once

#include <memory>

#include "kaya/distributed/process_group.h"

namespace kaya::distributed {

// MPI's world (MPI_Init_thread on first call, MPI_Finalize when the group is destroyed). Every
// MPI call after initialisation is made by the group's one communication thread, in submission
// order, as non-blocking operations polled with MPI_Test: so the order of collectives is the
// same on every process, the trainer's thread never spins in MPI, and a wait can time out.
// Throws when the build has no MPI.
std::unique_ptr<ProcessGroup> make_mpi_group();

}  // namespace kaya::distributed
