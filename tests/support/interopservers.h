#pragma once

// The real servers of tests/interop (nginx, Apache, lighttpd, Node.js, Python's HTTP/1.1 server),
// started in the foreground from a temp dir on 127.0.0.1: for the probe's interop suite and the
// proxy's, which put the same servers behind it. nginx and Apache also serve HTTPS with a
// certificate made by `openssl req`, as a user would make one.
#include "peerprocess.h"

#include <QString>

namespace testsupport {

struct InteropServer
{
    QString url;
    QString missing; // non-empty: the program missing on this machine
    QString caCert;  // the TLS rows: the certificate the client trusts with --cacert
};

// Starts server ("nginx", "apache2", "lighttpd", "node", "python") in dir with peer; url is empty
// when it could not start (missing names a program this machine lacks).
InteropServer startInteropServer(const QString &server, bool tls, Peer &peer, const QString &dir);

} // namespace testsupport
