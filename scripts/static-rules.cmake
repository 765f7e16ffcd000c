# TARGET-rules.cmake - read by CMake after its platform files (the
# toolchain file names it as CMAKE_USER_MAKE_RULES_OVERRIDE): graft's libc
# is static only, so add_library(x SHARED) and MODULE build a static
# library, with CMake's own warning, as on platforms without shared
# libraries.  (Set in the toolchain file, the property would be reset by
# the platform files.)
set_property(GLOBAL PROPERTY TARGET_SUPPORTS_SHARED_LIBS FALSE)
