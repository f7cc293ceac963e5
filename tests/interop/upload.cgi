#!/bin/sh
# CGI for the Apache interop test: read the whole request body, then answer 200.
cat > /dev/null
printf 'Content-Type: text/plain\r\n\r\nok\n'
