# Build-time generation of the WABinary token tables (dictionary v3).
# connd/wa/wa-tokens.txt is the only copy of the dictionary in the repository;
# gen_tokens.sh turns it into wa_tokens_table.inc, which tokens.c includes.
# Include this file from connd/CMakeLists.txt after the connd_wa target exists:
#   include(wa/tokens.cmake)
set(WG_WA_DIR ${CMAKE_CURRENT_LIST_DIR})
set(WG_WA_GEN_DIR ${CMAKE_BINARY_DIR}/connd/wa-generated)
set(WG_WA_TOKENS_INC ${WG_WA_GEN_DIR}/wa_tokens_table.inc)
file(MAKE_DIRECTORY ${WG_WA_GEN_DIR})
add_custom_command(OUTPUT ${WG_WA_TOKENS_INC}
  COMMAND sh ${WG_WA_DIR}/gen_tokens.sh ${WG_WA_DIR}/wa-tokens.txt ${WG_WA_TOKENS_INC}
  DEPENDS ${WG_WA_DIR}/gen_tokens.sh ${WG_WA_DIR}/wa-tokens.txt
  COMMENT "Generating WABinary token tables from wa-tokens.txt"
  VERBATIM)
add_custom_target(connd_wa_tokens DEPENDS ${WG_WA_TOKENS_INC})
add_dependencies(connd_wa connd_wa_tokens)
target_include_directories(connd_wa PRIVATE ${WG_WA_GEN_DIR})
get_target_property(WG_WA_TARGET_DIR connd_wa SOURCE_DIR)
set_source_files_properties(${WG_WA_DIR}/tokens.c DIRECTORY ${WG_WA_TARGET_DIR}
  PROPERTIES OBJECT_DEPENDS ${WG_WA_TOKENS_INC})
