// The atoms of the store's actor interface.
#pragma once

#include <caf/atom.hpp>

namespace artifacts {

using put_atom = caf::atom_constant<caf::atom("put")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using get_ref_atom = caf::atom_constant<caf::atom("get_ref")>;
using exists_atom = caf::atom_constant<caf::atom("exists")>;
using delete_atom = caf::atom_constant<caf::atom("delete")>;
using list_atom = caf::atom_constant<caf::atom("list")>;
using sweep_atom = caf::atom_constant<caf::atom("sweep")>;
using purge_atom = caf::atom_constant<caf::atom("purge")>;
using usage_atom = caf::atom_constant<caf::atom("usage")>;
using get_range_atom = caf::atom_constant<caf::atom("get_range")>;
using upload_atom = caf::atom_constant<caf::atom("upload")>;
using sweep_tick_atom = caf::atom_constant<caf::atom("sweep_tick")>;
using close_atom = caf::atom_constant<caf::atom("close")>;
using route_atom = caf::atom_constant<caf::atom("route")>;

}  // namespace artifacts
