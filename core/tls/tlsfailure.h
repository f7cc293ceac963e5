#pragma once

#include "timelineevent.h"

#include <QList>
#include <QSslError>

namespace expectlab {

// Why a TLS handshake failed, as a kind scripts switch on and one sentence for people that names
// the cause and the flag that would change it (issue 15).
struct TlsFailure
{
    ErrorKind kind = ErrorKind::TlsHandshake;
    QString sentence;
};

// Our client's view. certificateErrors: what verification found (empty when it found nothing);
// alertSeen: a TLS alert went either way (a peer that speaks no TLS sends none); alert: its text.
TlsFailure clientTlsFailure(const QString &hostPort, const QList<QSslError> &certificateErrors, bool alertSeen,
                            const QString &alert, const QString &socketError);
// Our server's view of a client that broke the handshake off.
TlsFailure serverTlsFailure(const QString &peer, bool certificateRefused, const QString &alert,
                            const QString &socketError);
// A client that sent plain HTTP to our TLS port.
TlsFailure plainRequestOnTlsPort(const QString &peer);

} // namespace expectlab
