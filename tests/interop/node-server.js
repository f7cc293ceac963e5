// Node.js http server for the probe's interop test: listens on 127.0.0.1 (port from argv, 0 = any),
// prints "listening PORT" once ready, reads each request body whole and answers 200. Node sends the
// 100 itself (no checkContinue listener) and answers 417 to unknown expectations (checkExpectation).
'use strict';
const http = require('http');
const server = http.createServer((req, res) => {
    let bytes = 0;
    req.on('data', (chunk) => { bytes += chunk.length; });
    req.on('end', () => {
        res.writeHead(200, { 'Content-Type': 'text/plain' });
        res.end(`received ${bytes} for ${req.url}\n`);
    });
});
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
    console.log(`listening ${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
