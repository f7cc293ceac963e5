#pragma once

#include <QByteArray>
#include <QList>
#include <QPair>

#include <optional>

namespace expectlab {

using HttpHeader = QPair<QByteArray, QByteArray>;
using HttpHeaders = QList<HttpHeader>;

// The head of a request or a response as it was on the wire: field order, duplicates and the
// spelling of names are kept, because an inspector has to show what the peer really sent.
struct MessageHead
{
    // Request line
    QByteArray method;
    QByteArray target;
    // Status line
    int status = 0;
    QByteArray reason;

    int versionMajor = 1;
    int versionMinor = 1;
    HttpHeaders headers;

    bool isHttp10() const { return versionMajor == 1 && versionMinor == 0; }
    bool isInterim() const { return status >= 100 && status < 200; }

    // First value of a field, names compared case-insensitively.
    std::optional<QByteArray> header(QByteArrayView name) const;
    // Every value of a field joined with ", " as RFC 9110 5.3 allows.
    std::optional<QByteArray> combinedHeader(QByteArrayView name) const;
    bool hasHeader(QByteArrayView name) const { return header(name).has_value(); }
    // True when a Connection field lists the token (e.g. "close").
    bool hasConnectionToken(QByteArrayView token) const;

    std::optional<qint64> contentLength() const;
    bool isChunked() const;
    // True when the framing announces content: a positive Content-Length or chunked coding.
    bool announcesContent() const;

    QByteArray serializeRequest() const;
    QByteArray serializeResponse() const;
};

// Removes every field with that name; returns how many were removed.
int removeHeader(HttpHeaders &headers, QByteArrayView name);
// Replaces the first field of that name or appends one.
void setHeader(HttpHeaders &headers, const QByteArray &name, const QByteArray &value);

QByteArray reasonPhrase(int status);

// RFC 9110 5.6.2: methods and field names are tokens.
bool isHttpToken(QByteArrayView text);

} // namespace expectlab
