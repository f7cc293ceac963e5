#pragma once

#include <QSslConfiguration>
#include <QTcpServer>

#include <optional>

namespace expectlab {

// A QTcpServer whose connections are QSslSocket (not yet encrypted: TlsStream does the handshake, so
// that it is timed as its own phase) once a configuration is set, plain QTcpSocket otherwise.
class TlsListener : public QTcpServer
{
    Q_OBJECT
public:
    using QTcpServer::QTcpServer;
    void setTls(std::optional<QSslConfiguration> configuration) { m_tls = std::move(configuration); }
    bool isTls() const { return m_tls.has_value(); }

protected:
    void incomingConnection(qintptr socketDescriptor) override;

private:
    std::optional<QSslConfiguration> m_tls;
};

} // namespace expectlab
