# The engine's core, compiled once per sample type (engine/sample.h): the one
# list that the library's build (CMakeLists.txt) and the plugins' build
# (plugin/CMakeLists.txt) both take. Paths from the source tree's root.
set(ADAC_ENGINE_CORE_FILES
  engine/bus.c engine/vec_ops.c engine/delay_line.c engine/sos_cascade.c engine/sos_bank.c
  engine/matrix_mix.c engine/line_loops.c engine/macro_controls.c engine/engine_core.c)
