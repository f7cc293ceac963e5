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

    // The Content-Length when it is a valid number up to 2^63-1; nullopt when absent or invalid.
    std::optional<qint64> contentLength() const;
    // Content-Length is a valid number above 2^63-1: more than anyone can send or count, and more
    // than contentLength() can say; llhttp accepts up to 2^64-1.
    bool contentLengthTooLarge() const;
    bool isChunked() const;
    // True when the framing announces content: a positive Content-Length (however large) or chunked.
    bool announcesContent() const;

    QByteArray serializeRequest() const;
    QByteArray serializeResponse() const;
};

// The first field of that name (names compare case-insensitively).
std::optional<QByteArray> headerValue(const HttpHeaders &headers, QByteArrayView name);
// Removes every field with that name; returns how many were removed.
int removeHeader(HttpHeaders &headers, QByteArrayView name);
// Replaces the first field of that name or appends one.
void setHeader(HttpHeaders &headers, const QByteArray &name, const QByteArray &value);

QByteArray reasonPhrase(int status);

// RFC 9110 5.6.2: methods and field names are tokens.
bool isHttpToken(QByteArrayView text);

// RFC 9112 3.2 / RFC 3986 3.2.2: a Host field value, uri-host [ ":" port ]; empty is allowed.
bool isValidHostValue(QByteArrayView value);

// Bytes from the wire (header values, targets) as text for people: UTF-8 when they are valid
// UTF-8, otherwise Latin-1, so that neither is shown double-encoded.
QString displayText(QByteArrayView bytes);

} // namespace expectlab
