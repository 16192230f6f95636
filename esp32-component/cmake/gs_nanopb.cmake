# Generates the nanopb C sources for the wire protocol at build time. Generated code is
# never committed: it always matches the .proto/.options of the same checkout and the
# nanopb runtime that is linked.
#
# gs_nanopb_generate(<out_dir> <srcs_var> <proto_dir>)
#   <out_dir>/gyrosentinel/v1/gyrosentinel.pb.{c,h}; <srcs_var> receives the .c path.
function(gs_nanopb_generate out_dir srcs_var proto_dir)
    find_program(GS_NANOPB_GENERATOR NAMES nanopb_generator.py nanopb_generator
                 HINTS "$ENV{NANOPB_SRC_DIR}/generator")
    if(NOT GS_NANOPB_GENERATOR)
        message(FATAL_ERROR "nanopb_generator.py not found: install the Debian package 'nanopb' "
                            "(or set NANOPB_SRC_DIR to a nanopb checkout).")
    endif()
    set(proto "${proto_dir}/gyrosentinel/v1/gyrosentinel.proto")
    set(options "${proto_dir}/gyrosentinel/v1/gyrosentinel.options")
    if(NOT EXISTS "${proto}")
        message(FATAL_ERROR "Wire contract not found at ${proto}; set GS_PROTO_DIR.")
    endif()
    set(gen_c "${out_dir}/gyrosentinel/v1/gyrosentinel.pb.c")
    set(gen_h "${out_dir}/gyrosentinel/v1/gyrosentinel.pb.h")
    add_custom_command(
        OUTPUT "${gen_c}" "${gen_h}"
        COMMAND "${CMAKE_COMMAND}" -E make_directory "${out_dir}"
        COMMAND "${GS_NANOPB_GENERATOR}" -q -I "${proto_dir}" -f "${options}" -D "${out_dir}" "${proto}"
        DEPENDS "${proto}" "${options}"
        COMMENT "nanopb: generating gyrosentinel.pb.c/.h"
        VERBATIM)
    # One target owns the generation: every consumer depends on it, so a parallel build never
    # runs the generator twice into the same folder (it races on the directory otherwise).
    if(NOT TARGET gs_nanopb_gen)
        add_custom_target(gs_nanopb_gen DEPENDS "${gen_c}" "${gen_h}")
    endif()
    set(${srcs_var} "${gen_c}" PARENT_SCOPE)
endfunction()
