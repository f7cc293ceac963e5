#include "streamfactory.h"

#include "tcpstream.h"
#include "tlsstream.h"

namespace expectlab {

bool isSupportedScheme(const QUrl &url)
{
    return url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https");
}

quint16 portOf(const QUrl &url)
{
    return quint16(url.port(url.scheme() == QLatin1String("https") ? 443 : 80));
}

ByteStream *makeClientStream(const QUrl &url, const ClientTlsSettings &tls, QString *error)
{
    if (url.scheme() != QLatin1String("https"))
        return new TcpStream;
    const std::optional<QSslConfiguration> configuration = tls.configuration(error);
    if (!configuration)
        return nullptr;
    return new TlsStream(*configuration, url.host());
}

} // namespace expectlab
