# QUENCH_SANITIZE: empty, or a comma list passed to -fsanitize= (the asan preset uses
# address,undefined). Applied to every target so libraries and tests agree.
set(QUENCH_SANITIZE "" CACHE STRING "sanitizers to enable, e.g. address,undefined")
if(QUENCH_SANITIZE)
  add_compile_options(-fsanitize=${QUENCH_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=${QUENCH_SANITIZE})
endif()
