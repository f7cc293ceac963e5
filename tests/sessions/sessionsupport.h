#pragma once

// Helpers shared by the session suites: a field-by-field comparison of sessions (ExchangeSummary has
// no operator==; a difference is reported by its path, e.g. "exchanges[0].events[3].detail") and a
// real loopback exchange to record.

#include "clientprofile.h"
#include "exchangerunner.h"
#include "session.h"
#include "testidentity.h"
#include "testserver.h"

#include <QSignalSpy>
#include <QStringList>

namespace sessiontest {

using namespace expectlab;

class Diff
{
public:
    template <typename T> void same(const QString &path, const T &a, const T &b)
    {
        if (!(a == b))
            m_diffs << path;
    }
    QStringList diffs() const { return m_diffs; }

    void heads(const QString &p, const MessageHead &a, const MessageHead &b)
    {
        same(p + QStringLiteral(".method"), a.method, b.method);
        same(p + QStringLiteral(".target"), a.target, b.target);
        same(p + QStringLiteral(".status"), a.status, b.status);
        same(p + QStringLiteral(".reason"), a.reason, b.reason);
        same(p + QStringLiteral(".versionMajor"), a.versionMajor, b.versionMajor);
        same(p + QStringLiteral(".versionMinor"), a.versionMinor, b.versionMinor);
        same(p + QStringLiteral(".headers"), a.headers, b.headers);
    }

    void events(const QString &p, const QList<TimelineEvent> &a, const QList<TimelineEvent> &b)
    {
        same(p + QStringLiteral(".size"), a.size(), b.size());
        for (qsizetype i = 0; i < qMin(a.size(), b.size()); ++i) {
            const QString q = QStringLiteral("%1[%2]").arg(p).arg(i);
            same(q + QStringLiteral(".tNs"), a[i].tNs, b[i].tNs);
            same(q + QStringLiteral(".side"), a[i].side, b[i].side);
            same(q + QStringLiteral(".conn"), a[i].conn, b[i].conn);
            same(q + QStringLiteral(".kind"), a[i].kind, b[i].kind);
            same(q + QStringLiteral(".status"), a[i].status, b[i].status);
            same(q + QStringLiteral(".bytes"), a[i].bytes, b[i].bytes);
            same(q + QStringLiteral(".detail"), a[i].detail, b[i].detail);
            same(q + QStringLiteral(".rule"), a[i].rule, b[i].rule);
            // The typed facts (session format 2).
            same(q + QStringLiteral(".request"), a[i].request, b[i].request);
            same(q + QStringLiteral(".closedBy"), a[i].closedBy, b[i].closedBy);
            same(q + QStringLiteral(".reset"), a[i].reset, b[i].reset);
            same(q + QStringLiteral(".bytesBeforeFinal"), a[i].bytesBeforeFinal, b[i].bytesBeforeFinal);
            same(q + QStringLiteral(".bytesAfterFinal"), a[i].bytesAfterFinal, b[i].bytesAfterFinal);
            same(q + QStringLiteral(".error"), a[i].error, b[i].error);
            same(q + QStringLiteral(".notSent"), a[i].notSent, b[i].notSent);
            same(q + QStringLiteral(".bodyNotSent"), a[i].bodyNotSent, b[i].bodyNotSent);
            // The recording proxy's (session format 5).
            same(q + QStringLiteral(".hop"), a[i].hop, b[i].hop);
            same(q + QStringLiteral(".exchange"), a[i].exchange, b[i].exchange);
            same(q + QStringLiteral(".decision"), a[i].decision, b[i].decision);
            same(q + QStringLiteral(".head"), bool(a[i].head), bool(b[i].head));
            if (a[i].head && b[i].head)
                heads(q + QStringLiteral(".head"), *a[i].head, *b[i].head);
            same(q + QStringLiteral(".endpoints"), bool(a[i].endpoints), bool(b[i].endpoints));
            if (a[i].endpoints && b[i].endpoints) {
                same(q + QStringLiteral(".endpoints.local"), a[i].endpoints->localAddress,
                     b[i].endpoints->localAddress);
                same(q + QStringLiteral(".endpoints.localPort"), a[i].endpoints->localPort, b[i].endpoints->localPort);
                same(q + QStringLiteral(".endpoints.peer"), a[i].endpoints->peerAddress, b[i].endpoints->peerAddress);
                same(q + QStringLiteral(".endpoints.peerPort"), a[i].endpoints->peerPort, b[i].endpoints->peerPort);
            }
            tls(q + QStringLiteral(".tls"), a[i].tls, b[i].tls);
            same(q + QStringLiteral(".profile"), bool(a[i].profile), bool(b[i].profile));
            if (a[i].profile && b[i].profile)
                same(q + QStringLiteral(".profile.detail"), a[i].profile->toDetail(), b[i].profile->toDetail());
        }
    }

    void tls(const QString &p, const std::shared_ptr<const TlsFacts> &a, const std::shared_ptr<const TlsFacts> &b)
    {
        same(p, bool(a), bool(b));
        if (!a || !b)
            return;
        same(p + QStringLiteral(".protocol"), a->protocol, b->protocol);
        same(p + QStringLiteral(".cipher"), a->cipher, b->cipher);
        same(p + QStringLiteral(".alpn"), a->alpn, b->alpn);
        same(p + QStringLiteral(".peerSubject"), a->peerSubject, b->peerSubject);
        same(p + QStringLiteral(".peerIssuer"), a->peerIssuer, b->peerIssuer);
        same(p + QStringLiteral(".peerNotAfter"), a->peerNotAfter, b->peerNotAfter);
        same(p + QStringLiteral(".peerSha256"), a->peerSha256, b->peerSha256);
    }

    void wire(const QString &p, const WireLog &a, const WireLog &b)
    {
        same(p + QStringLiteral(".capacity"), a.capacity(), b.capacity());
        same(p + QStringLiteral(".droppedRecords"), a.droppedRecords(), b.droppedRecords());
        same(p + QStringLiteral(".droppedSent"), a.droppedBytes(WireLog::Direction::Sent),
             b.droppedBytes(WireLog::Direction::Sent));
        same(p + QStringLiteral(".droppedReceived"), a.droppedBytes(WireLog::Direction::Received),
             b.droppedBytes(WireLog::Direction::Received));
        same(p + QStringLiteral(".records.size"), a.records().size(), b.records().size());
        for (qsizetype i = 0; i < qMin(a.records().size(), b.records().size()); ++i) {
            const WireLog::Record &x = a.records()[i];
            const WireLog::Record &y = b.records()[i];
            const QString q = QStringLiteral("%1.records[%2]").arg(p).arg(i);
            same(q + QStringLiteral(".direction"), x.direction, y.direction);
            same(q + QStringLiteral(".firstNs"), x.firstNs, y.firstNs);
            same(q + QStringLiteral(".lastNs"), x.lastNs, y.lastNs);
            same(q + QStringLiteral(".byteCount"), x.byteCount, y.byteCount);
            same(q + QStringLiteral(".bytes"), x.bytes, y.bytes);
            same(q + QStringLiteral(".body"), x.body, y.body);
        }
    }

    void summaries(const QString &p, const ExchangeSummary &a, const ExchangeSummary &b)
    {
        same(p + QStringLiteral(".id"), a.id, b.id);
        same(p + QStringLiteral(".url"), a.url, b.url);
        same(p + QStringLiteral(".method"), a.method, b.method);
        same(p + QStringLiteral(".requestHeaders"), a.requestHeaders, b.requestHeaders);
        same(p + QStringLiteral(".bodyBytes"), a.bodyBytes, b.bodyBytes);
        same(p + QStringLiteral(".startNs"), a.startNs, b.startNs);
        same(p + QStringLiteral(".endNs"), a.endNs, b.endNs);
        events(p + QStringLiteral(".events"), a.events, b.events);
        same(p + QStringLiteral(".interimStatuses()"), a.interimStatuses(), b.interimStatuses());
        same(p + QStringLiteral(".interimHeads.size"), a.interimHeads.size(), b.interimHeads.size());
        for (qsizetype i = 0; i < qMin(a.interimHeads.size(), b.interimHeads.size()); ++i)
            heads(QStringLiteral("%1.interimHeads[%2]").arg(p).arg(i), a.interimHeads[i], b.interimHeads[i]);
        same(p + QStringLiteral(".finalStatus"), a.finalStatus, b.finalStatus);
        heads(p + QStringLiteral(".finalHead"), a.finalHead, b.finalHead);
        same(p + QStringLiteral(".responseBodyPreview"), a.responseBodyPreview, b.responseBodyPreview);
        same(p + QStringLiteral(".responseBodyBytes"), a.responseBodyBytes, b.responseBodyBytes);
        same(p + QStringLiteral(".expectWaitNs"), a.expectWaitNs, b.expectWaitNs);
        same(p + QStringLiteral(".bodyBytesSent"), a.bodyBytesSent, b.bodyBytesSent);
        same(p + QStringLiteral(".bytesSaved"), a.bytesSaved, b.bytesSaved);
        same(p + QStringLiteral(".expectSent"), a.expectSent, b.expectSent);
        same(p + QStringLiteral(".retried"), a.retried, b.retried);
        same(p + QStringLiteral(".cancelled"), a.cancelled, b.cancelled);
        same(p + QStringLiteral(".error"), a.error, b.error);
        same(p + QStringLiteral(".errorKind"), a.errorKind, b.errorKind);
        same(p + QStringLiteral(".responseComplete"), a.responseComplete, b.responseComplete);
        same(p + QStringLiteral(".sentAnyway"), a.sentAnyway, b.sentAnyway);
        same(p + QStringLiteral(".earlierAttempts.size"), a.earlierAttempts.size(), b.earlierAttempts.size());
        for (qsizetype i = 0; i < qMin(a.earlierAttempts.size(), b.earlierAttempts.size()); ++i) {
            const QString q = QStringLiteral("%1.earlierAttempts[%2]").arg(p).arg(i);
            const AttemptSummary &x = a.earlierAttempts[i];
            const AttemptSummary &y = b.earlierAttempts[i];
            same(q + QStringLiteral(".expect"), x.expect, y.expect);
            same(q + QStringLiteral(".startNs"), x.startNs, y.startNs);
            same(q + QStringLiteral(".endNs"), x.endNs, y.endNs);
            same(q + QStringLiteral(".interimStatuses"), x.interimStatuses(), y.interimStatuses());
            same(q + QStringLiteral(".finalStatus"), x.finalStatus, y.finalStatus);
            heads(q + QStringLiteral(".finalHead"), x.finalHead, y.finalHead);
            same(q + QStringLiteral(".bodyBytesSent"), x.bodyBytesSent, y.bodyBytesSent);
        }
        same(p + QStringLiteral(".wireLogs.size"), a.wireLogs.size(), b.wireLogs.size());
        for (qsizetype i = 0; i < qMin(a.wireLogs.size(), b.wireLogs.size()); ++i)
            wire(QStringLiteral("%1.wireLogs[%2]").arg(p).arg(i), a.wireLogs[i], b.wireLogs[i]);
        tls(p + QStringLiteral(".tls"), a.tls, b.tls);
    }

    void sessions(const Session &a, const Session &b)
    {
        same(QStringLiteral("originNs"), a.originNs, b.originNs);
        same(QStringLiteral("originUtc"), a.originUtc, b.originUtc);
        same(QStringLiteral("serverPolicy"), a.serverPolicy, b.serverPolicy);
        same(QStringLiteral("note"), a.note, b.note);
        same(QStringLiteral("droppedServerEvents"), a.droppedServerEvents, b.droppedServerEvents);
        same(QStringLiteral("exchanges.size"), a.exchanges.size(), b.exchanges.size());
        for (qsizetype i = 0; i < qMin(a.exchanges.size(), b.exchanges.size()); ++i)
            summaries(QStringLiteral("exchanges[%1]").arg(i), a.exchanges[i], b.exchanges[i]);
        events(QStringLiteral("serverEvents"), a.serverEvents, b.serverEvents);
        same(QStringLiteral("serverConnections.size"), a.serverConnections.size(), b.serverConnections.size());
        for (qsizetype i = 0; i < qMin(a.serverConnections.size(), b.serverConnections.size()); ++i) {
            const QString p = QStringLiteral("serverConnections[%1]").arg(i);
            const SessionServerConnection &x = a.serverConnections[i];
            const SessionServerConnection &y = b.serverConnections[i];
            same(p + QStringLiteral(".id"), x.id, y.id);
            same(p + QStringLiteral(".peerAddress"), x.peerAddress, y.peerAddress);
            same(p + QStringLiteral(".peerPort"), x.peerPort, y.peerPort);
            same(p + QStringLiteral(".exchangeId"), x.exchangeId, y.exchangeId);
            wire(p + QStringLiteral(".wire"), x.wire, y.wire);
        }
        same(QStringLiteral("probe"), bool(a.probe), bool(b.probe));
        if (a.probe && b.probe)
            probes(QStringLiteral("probe"), *a.probe, *b.probe);
        same(QStringLiteral("matrix"), bool(a.matrix), bool(b.matrix));
        if (a.matrix && b.matrix)
            matrices(QStringLiteral("matrix"), *a.matrix, *b.matrix);
        events(QStringLiteral("proxyEvents"), a.proxyEvents, b.proxyEvents);
        same(QStringLiteral("droppedProxyEvents"), a.droppedProxyEvents, b.droppedProxyEvents);
        same(QStringLiteral("proxy"), bool(a.proxy), bool(b.proxy));
        if (a.proxy && b.proxy) {
            same(QStringLiteral("proxy.mode"), a.proxy->mode, b.proxy->mode);
            same(QStringLiteral("proxy.upstream"), a.proxy->upstream, b.proxy->upstream);
            same(QStringLiteral("proxy.forward"), a.proxy->forward, b.proxy->forward);
            same(QStringLiteral("proxy.listenUrl"), a.proxy->listenUrl, b.proxy->listenUrl);
        }
        same(QStringLiteral("proxyConnections.size"), a.proxyConnections.size(), b.proxyConnections.size());
        for (qsizetype i = 0; i < qMin(a.proxyConnections.size(), b.proxyConnections.size()); ++i) {
            const QString p = QStringLiteral("proxyConnections[%1]").arg(i);
            const SessionProxyConnection &x = a.proxyConnections[i];
            const SessionProxyConnection &y = b.proxyConnections[i];
            same(p + QStringLiteral(".hop"), x.hop, y.hop);
            same(p + QStringLiteral(".id"), x.id, y.id);
            same(p + QStringLiteral(".peerAddress"), x.peerAddress, y.peerAddress);
            same(p + QStringLiteral(".peerPort"), x.peerPort, y.peerPort);
            wire(p + QStringLiteral(".wire"), x.wire, y.wire);
        }
    }

    void probes(const QString &p, const ProbeReport &a, const ProbeReport &b)
    {
        same(p + QStringLiteral(".url"), a.url, b.url);
        same(p + QStringLiteral(".timeoutMs"), a.timeoutMs, b.timeoutMs);
        same(p + QStringLiteral(".error"), a.error, b.error);
        tls(p + QStringLiteral(".tls"), a.tls, b.tls);
        same(p + QStringLiteral(".results.size"), a.results.size(), b.results.size());
        for (qsizetype i = 0; i < qMin(a.results.size(), b.results.size()); ++i) {
            const QString q = QStringLiteral("%1.results[%2]").arg(p).arg(i);
            const ProbeResult &x = a.results[i];
            const ProbeResult &y = b.results[i];
            same(q + QStringLiteral(".id"), x.id, y.id);
            same(q + QStringLiteral(".title"), x.title, y.title);
            same(q + QStringLiteral(".rules"), x.rules, y.rules);
            same(q + QStringLiteral(".verdict"), x.verdict, y.verdict);
            same(q + QStringLiteral(".message"), x.message, y.message);
            same(q + QStringLiteral(".statuses"), x.statuses, y.statuses);
            same(q + QStringLiteral(".firstResponseMs"), x.timings.firstResponseMs, y.timings.firstResponseMs);
            same(q + QStringLiteral(".finalMs"), x.timings.finalMs, y.timings.finalMs);
            same(q + QStringLiteral(".durationMs"), x.timings.durationMs, y.timings.durationMs);
            const ProbeObservation &o = x.observation;
            const ProbeObservation &r = y.observation;
            same(q + QStringLiteral(".startNs"), o.startNs, r.startNs);
            same(q + QStringLiteral(".connectedNs"), o.connectedNs, r.connectedNs);
            same(q + QStringLiteral(".endNs"), o.endNs, r.endNs);
            events(q + QStringLiteral(".events"), o.events, r.events);
            same(q + QStringLiteral(".responses.size"), o.responses.size(), r.responses.size());
            for (qsizetype k = 0; k < qMin(o.responses.size(), r.responses.size()); ++k) {
                const QString at = QStringLiteral("%1.responses[%2]").arg(q).arg(k);
                heads(at + QStringLiteral(".head"), o.responses[k].head, r.responses[k].head);
                same(at + QStringLiteral(".headNs"), o.responses[k].headNs, r.responses[k].headNs);
                same(at + QStringLiteral(".completeNs"), o.responses[k].completeNs, r.responses[k].completeNs);
                same(at + QStringLiteral(".afterStep"), o.responses[k].afterStep, r.responses[k].afterStep);
                same(at + QStringLiteral(".bodyBytes"), o.responses[k].bodyBytes, r.responses[k].bodyBytes);
                same(at + QStringLiteral(".index"), o.responses[k].index, r.responses[k].index);
                same(at + QStringLiteral(".closeDelimited"), o.responses[k].closeDelimited,
                     r.responses[k].closeDelimited);
            }
            same(q + QStringLiteral(".sentSteps"), o.sentSteps, r.sentSteps);
            same(q + QStringLiteral(".sentStepNs"), o.sentStepNs, r.sentStepNs);
            same(q + QStringLiteral(".sentRequests"), o.sentRequests, r.sentRequests);
            same(q + QStringLiteral(".peerClosedNs"), o.peerClosedNs, r.peerClosedNs);
            same(q + QStringLiteral(".reset"), o.reset, r.reset);
            same(q + QStringLiteral(".bytesAfterClose"), o.bytesAfterClose, r.bytesAfterClose);
            same(q + QStringLiteral(".error"), o.error, r.error);
            same(q + QStringLiteral(".connectFailed"), o.connectFailed, r.connectFailed);
        }
    }

    void matrices(const QString &p, const MatrixResult &a, const MatrixResult &b)
    {
        same(p + QStringLiteral(".spec.clients"), a.spec.clients, b.spec.clients);
        QStringList pa, pb;
        for (const ServerPolicy &x : a.spec.policies)
            pa << x.toString();
        for (const ServerPolicy &x : b.spec.policies)
            pb << x.toString();
        same(p + QStringLiteral(".spec.policies"), pa, pb);
        same(p + QStringLiteral(".spec.sizes"), a.spec.sizes, b.spec.sizes);
        same(p + QStringLiteral(".spec.url"), a.spec.url, b.spec.url);
        same(p + QStringLiteral(".spec.method"), a.spec.method, b.spec.method);
        same(p + QStringLiteral(".spec.timeoutMs"), a.spec.timeoutMs, b.spec.timeoutMs);
        same(p + QStringLiteral(".cancelled"), a.cancelled, b.cancelled);
        same(p + QStringLiteral(".cells.size"), a.cells.size(), b.cells.size());
        for (qsizetype i = 0; i < qMin(a.cells.size(), b.cells.size()); ++i) {
            const QString q = QStringLiteral("%1.cells[%2]").arg(p).arg(i);
            const MatrixCell &x = a.cells[i];
            const MatrixCell &y = b.cells[i];
            same(q + QStringLiteral(".clientIndex"), x.clientIndex, y.clientIndex);
            same(q + QStringLiteral(".policyIndex"), x.policyIndex, y.policyIndex);
            same(q + QStringLiteral(".sizeIndex"), x.sizeIndex, y.sizeIndex);
            same(q + QStringLiteral(".client"), x.client, y.client);
            same(q + QStringLiteral(".policy"), x.policy ? x.policy->toString() : QString(),
                 y.policy ? y.policy->toString() : QString());
            same(q + QStringLiteral(".size"), x.size, y.size);
            summaries(q + QStringLiteral(".summary"), x.summary, y.summary);
            events(q + QStringLiteral(".serverEvents"), x.serverEvents, y.serverEvents);
            same(q + QStringLiteral(".expectWaitNs"), x.expectWaitNs, y.expectWaitNs);
            same(q + QStringLiteral(".bodyBytesSent"), x.bodyBytesSent, y.bodyBytesSent);
            same(q + QStringLiteral(".bodyBytesBeforeFinal"), x.bodyBytesBeforeFinal, y.bodyBytesBeforeFinal);
            same(q + QStringLiteral(".totalNs"), x.totalNs, y.totalNs);
            same(q + QStringLiteral(".savedVsNoExpect"), x.savedVsNoExpect, y.savedVsNoExpect);
            same(q + QStringLiteral(".outcome()"), x.outcome(), y.outcome());
        }
    }

private:
    QStringList m_diffs;
};

inline QStringList differences(const Session &a, const Session &b)
{
    Diff d;
    d.sessions(a, b);
    return d.diffs();
}

// Runs one request against a local server with the given policy and returns its summary; the
// server's events go to serverEvents when given.
// One exchange with a local server under policy; tls: over HTTPS, the client accepting any
// certificate (the facts it records are the same).
inline ExchangeSummary runExchange(const QString &policy, ClientRequest request, int id = 1,
                                   QList<TimelineEvent> *serverEvents = nullptr, bool tls = false)
{
    TestServer server;
    server.setPolicy(*ServerPolicy::parse(policy));
    if (tls) {
        const auto made = testsupport::makeTestIdentity();
        if (!made)
            return {};
        server.setTls(made->identity);
        request.tls.insecure = true;
    }
    if (!server.listen(QHostAddress::LocalHost, 0))
        return {};
    if (serverEvents)
        QObject::connect(&server, &TestServer::eventRecorded,
                         [serverEvents](const TimelineEvent &e) { serverEvents->append(e); });
    request.url = QUrl(server.url() + QStringLiteral("upload?x=1&y=two%20words"));
    ExchangeRunner runner(id, request);
    QSignalSpy done(&runner, &ExchangeRunner::finished);
    runner.start();
    if (!runner.isFinished())
        done.wait(10000);
    return runner.exchange().summary();
}

} // namespace sessiontest
