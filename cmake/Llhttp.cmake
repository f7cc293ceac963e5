# llhttp (Node.js's HTTP parser) from Debian's node-llhttp: C sources in /usr/share/llhttp and the
# header in /usr/share/include/llhttp. Built here as a static library; the sources stay in Debian.
set(LLHTTP_SOURCE_DIR "/usr/share/llhttp" CACHE PATH "Directory holding llhttp's api.c, http.c, llhttp.c")
set(LLHTTP_INCLUDE_DIR "/usr/share/include/llhttp" CACHE PATH "Directory holding llhttp.h")

foreach(f api.c http.c llhttp.c)
  if(NOT EXISTS "${LLHTTP_SOURCE_DIR}/${f}")
    message(FATAL_ERROR "llhttp source ${LLHTTP_SOURCE_DIR}/${f} not found: apt-get install node-llhttp")
  endif()
endforeach()
if(NOT EXISTS "${LLHTTP_INCLUDE_DIR}/llhttp.h")
  message(FATAL_ERROR "llhttp.h not found in ${LLHTTP_INCLUDE_DIR}: apt-get install node-llhttp")
endif()

add_library(llhttp_static STATIC
  "${LLHTTP_SOURCE_DIR}/api.c"
  "${LLHTTP_SOURCE_DIR}/http.c"
  "${LLHTTP_SOURCE_DIR}/llhttp.c")
target_include_directories(llhttp_static SYSTEM PUBLIC "${LLHTTP_INCLUDE_DIR}")
# Its generated sources warn; they are not ours to fix.
target_compile_options(llhttp_static PRIVATE -w)
set_target_properties(llhttp_static PROPERTIES POSITION_INDEPENDENT_CODE ON)
# Strict mode: CR must be followed by LF, chunk data by CRLF, and nothing may follow a message that
# closed the connection. The default (loose) mode skips the two bytes after chunk data without looking
# at them, which lets `5\r\nhelloXX0\r\n\r\n` through and a request smuggled behind it.
target_compile_definitions(llhttp_static PRIVATE LLHTTP_STRICT_MODE=1)
