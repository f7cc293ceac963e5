#pragma once

#include "clientexchange.h"
#include "clientrequest.h"
#include "serverpolicy.h"

#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QUrl>

#include <optional>

namespace expectlab {

// One client behaviour of the matrix: whether Expect is sent, how long the client waits for a 100
// (R5) and whether it retries without Expect after a 417 (R6). Written as
//   no-expect | expect[:MS][:no-retry]
// e.g. "expect" (wait 1000 ms, retry: curl's way), "expect:200", "expect:no-retry", "expect:0:no-retry".
struct ClientBehaviour
{
    bool expect = true;
    int expectTimeoutMs = 1000;
    bool retry = true;

    static std::optional<ClientBehaviour> parse(const QString &text, QString *error = nullptr);
    QString toString() const; // the canonical spelling, parse(toString()) == *this
    QString describe() const;
    void applyTo(ClientRequest *request) const;

    friend bool operator==(const ClientBehaviour &, const ClientBehaviour &) = default;
};

// The axes of a matrix run. Without a URL every cell runs against an in-process TestServer set to
// the cell's policy; with a URL the policy axis does not apply (the external server has its own)
// and the grid has one policy column, "external".
struct MatrixSpec
{
    QList<ClientBehaviour> clients;
    QList<ServerPolicy> policies;
    QList<qint64> sizes; // body bytes
    QUrl url;            // empty: the local server
    QByteArray method = "POST";
    int timeoutMs = 10000; // bounds each exchange
    ClientTlsSettings tls; // how an https:// url is trusted (--insecure, --cacert)
    // The local server serves HTTPS with this identity (`matrix --tls`, the workbench's HTTPS
    // switch) and the client trusts its certificate file; nullopt: plain HTTP. Not with a url.
    std::optional<ServerTlsIdentity> localTls;

    bool isExternal() const { return !url.isEmpty(); }
    int policyCount() const { return isExternal() ? 1 : int(policies.size()); }
    int cellCount() const { return int(clients.size()) * policyCount() * int(sizes.size()); }
    QString validate() const; // empty when runnable

    // Comma-separated lists as the CLI takes them; nullopt with a message naming the bad item.
    static std::optional<QList<ClientBehaviour>> parseClients(const QString &text, QString *error);
    static std::optional<QList<ServerPolicy>> parsePolicies(const QString &text, QString *error);
};

// What one combination came to.
struct MatrixCell
{
    int clientIndex = 0;
    int policyIndex = 0; // 0 for an external URL
    int sizeIndex = 0;
    ClientBehaviour client;
    std::optional<ServerPolicy> policy; // empty for an external URL
    qint64 size = 0;

    ExchangeSummary summary;
    QList<TimelineEvent> serverEvents; // the local server's side of this cell

    // Figures read from the summary
    std::optional<qint64> expectWaitNs;
    qint64 bodyBytesSent = 0;        // over all attempts
    qint64 bodyBytesBeforeFinal = 0; // sent on the first attempt before its final response came
    qint64 totalNs = 0;
    // Body bytes this cell did not send compared with the no-expect cell of the same policy and size
    // (the bandwidth an early 417 or 413 saves, R11); empty when the grid has no such cell.
    std::optional<qint64> savedVsNoExpect;

    // "200", "417 > 200" (retried), "413", "no response"
    QString outcome() const;
};

struct MatrixResult
{
    MatrixSpec spec;
    QList<MatrixCell> cells; // in run order: client, then policy, then size
    bool cancelled = false;

    const MatrixCell *cell(int client, int policy, int size) const;
    // Fills savedVsNoExpect from the no-expect cells.
    void computeSavings();
};

QJsonObject matrixResultToJson(const MatrixResult &result);
// A readable table, one line per cell.
QString matrixResultToText(const MatrixResult &result);

} // namespace expectlab

Q_DECLARE_METATYPE(expectlab::MatrixCell)
Q_DECLARE_METATYPE(expectlab::MatrixResult)
