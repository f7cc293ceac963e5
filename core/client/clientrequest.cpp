#include "clientrequest.h"

#include "streamfactory.h"

#include <algorithm>

#include <QCoreApplication>

namespace expectlab {

namespace {
QString tr(const char *text)
{
    return QCoreApplication::translate("ClientRequest", text);
}

} // namespace

QByteArray ClientRequest::effectiveMethod() const
{
    if (!method.isEmpty())
        return method;
    return body.hasBody() ? QByteArrayLiteral("POST") : QByteArrayLiteral("GET");
}

QByteArray ClientRequest::expectToSend() const
{
    switch (expect) {
    case ExpectMode::Default: return body.hasBody() ? QByteArrayLiteral("100-continue") : QByteArray();
    case ExpectMode::Off: return {};
    case ExpectMode::On: return QByteArrayLiteral("100-continue");
    case ExpectMode::Custom: return expectValue;
    }
    return {};
}

int ClientRequest::interactiveTimeoutMs() const
{
    constexpr int kLongUploadMs = 3600 * 1000;
    const int bound = std::max(kDefaultTimeoutMs, expectTimeoutMs + kDefaultTimeoutMs);
    const bool longUpload = body.kind == BodySpec::Kind::Generated || body.kind == BodySpec::Kind::File;
    return longUpload ? std::max(bound, kLongUploadMs) : bound;
}

QString ClientRequest::validate() const
{
    if (!url.isValid() || url.host().isEmpty())
        return tr("invalid URL '%1': expected http://HOST[:PORT]/PATH or https://...").arg(url.toString());
    if (!isSupportedScheme(url))
        return tr("unsupported scheme '%1' in '%2': only http:// and https:// are supported")
            .arg(url.scheme(), url.toString());
    if (url.port() == 0)
        return tr("invalid port 0 in '%1'").arg(url.toString());
    if (!isHttpToken(effectiveMethod()))
        return tr("invalid method '%1'").arg(QString::fromLatin1(method));
    for (const auto &[name, value] : headers) {
        if (!isHttpToken(name))
            return tr("invalid header name '%1'").arg(QString::fromLatin1(name));
        if (value.contains('\r') || value.contains('\n'))
            return tr("header '%1' has a line break in its value").arg(QString::fromLatin1(name));
    }
    if (expect == ExpectMode::Custom && (expectValue.contains('\r') || expectValue.contains('\n')))
        return tr("the Expect value has a line break");
    if (expectTimeoutMs < 0)
        return tr("the expect timeout must not be negative");
    if (timeoutMs <= 0)
        return tr("the exchange timeout must be positive");
    if (body.kind == BodySpec::Kind::Generated && body.generatedSize < 0)
        return tr("the generated body size must not be negative");
    return {};
}

} // namespace expectlab
