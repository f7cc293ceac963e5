#pragma once

#include "tlssettings.h"

#include <QUrl>

namespace expectlab {

class ByteStream;

// The stream a client (our composer's client, the probe, the matrix) uses for url: TLS for https://,
// plain TCP for http://. nullptr with *error set when the TLS settings are unusable (a bad --cacert).
ByteStream *makeClientStream(const QUrl &url, const ClientTlsSettings &tls, QString *error);

// Whether url's scheme is one our client speaks.
bool isSupportedScheme(const QUrl &url);
// The port url means: its own, or 443 for https and 80 for http.
quint16 portOf(const QUrl &url);

} // namespace expectlab
