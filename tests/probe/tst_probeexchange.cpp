// The probe's scenarios run sans I/O against a scripted server on a fake clock: each row is one
// server behaviour from the rules digest and the verdict the battery must give it.
#include "probebattery.h"
#include "probeexchange.h"

#include <QTest>

using namespace expectlab;

namespace {
constexpr qint64 kMs = 1'000'000;

// How the scripted server reacts: to the first complete head, then to the first bytes after it.
struct ServerScript
{
    QByteArray onHead;
    qint64 onHeadDelayMs = 1;
    bool closeAfterHead = false;
    QByteArray onBody;
    bool closeAfterBody = false;
    // Sent 2 ms after onHead: the rest of the first answer in a write of its own (aiohttp writes a
    // response's head and body separately).
    QByteArray onHeadLater;
};

struct Pending
{
    qint64 atNs;
    QByteArray bytes;
    bool close;
};

ProbeObservation runScripted(const ProbeScenario &scenario, const ServerScript &script)
{
    qint64 now = 0;
    ProbeExchange ex(1, scenario.steps, now);
    ex.connected(now);
    QByteArray received;
    bool headSeen = false;
    bool bodySeen = false;
    bool closed = false;
    QList<Pending> pending;
    for (int guard = 0; guard < 200 && !ex.isFinished(); ++guard) {
        const QByteArray out = ex.takeOutgoing();
        ex.sent(out.size(), now); // in memory, the bytes leave at once
        if (!out.isEmpty() && !closed) {
            received += out;
            const qsizetype headEnd = received.indexOf("\r\n\r\n");
            if (!headSeen && headEnd >= 0) {
                headSeen = true;
                if (!script.onHead.isEmpty() || script.closeAfterHead)
                    pending.append({now + script.onHeadDelayMs * kMs, script.onHead, script.closeAfterHead});
                if (!script.onHeadLater.isEmpty())
                    pending.append({now + (script.onHeadDelayMs + 2) * kMs, script.onHeadLater, false});
            }
            if (headSeen && !bodySeen && received.size() > headEnd + 4) {
                bodySeen = true;
                if (!script.onBody.isEmpty() || script.closeAfterBody)
                    pending.append({now + 5 * kMs, script.onBody, script.closeAfterBody});
                std::stable_sort(pending.begin(), pending.end(),
                                 [](const Pending &a, const Pending &b) { return a.atNs < b.atNs; });
            }
            continue;
        }
        std::optional<qint64> next = ex.nextDeadlineNs();
        if (!pending.isEmpty() && (!next || pending.first().atNs <= *next)) {
            const Pending p = pending.takeFirst();
            now = qMax(now, p.atNs);
            if (!p.bytes.isEmpty())
                ex.receive(p.bytes, now);
            if (p.close) {
                closed = true;
                ex.peerClosed(now);
            }
            continue;
        }
        if (!next)
            break;
        now = *next;
        ex.advanceTime(now);
    }
    return ex.observation();
}

ProbeScenario scenarioById(const QString &id)
{
    ProbeTarget t;
    t.host = "127.0.0.1:8080";
    t.timeoutMs = 3000;
    for (const ProbeScenario &s : probe::battery(t)) {
        if (s.id == id)
            return s;
    }
    return {};
}

const QByteArray k100 = "HTTP/1.1 100 Continue\r\n\r\n";
const QByteArray k200 = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";
const QByteArray k417Close = "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const QByteArray k417 = "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n";
const QByteArray k413Close = "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
const QByteArray k413 = "HTTP/1.1 413 Content Too Large\r\nContent-Length: 0\r\n\r\n";
const QByteArray k404 = "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n";
} // namespace

class TstProbeExchange : public QObject
{
    Q_OBJECT
private slots:
    void battery_data();
    void battery();
    void batteryHasTheIssuesScenarios();
    void timingsAndEvidence();
    void caseVariantComparesWithPlain();
};

void TstProbeExchange::battery_data()
{
    QTest::addColumn<QString>("scenario");
    QTest::addColumn<QByteArray>("onHead");
    QTest::addColumn<int>("onHeadDelayMs");
    QTest::addColumn<bool>("closeAfterHead");
    QTest::addColumn<QByteArray>("onBody");
    QTest::addColumn<QString>("verdict");
    QTest::addColumn<bool>("closeAfterBody");
    QTest::addColumn<QByteArray>("onHeadLater");

    // R11/R12: a prompt 100 passes, silence fails, a late 100 warns, a final before the body passes.
    QTest::newRow("continue: 100 then 200")
        << "continue-small" << k100 << 1 << false << k200 << "pass" << false << QByteArray();
    QTest::newRow("continue: silent until the body (R11)")
        << "continue-small" << QByteArray() << 1 << false << k200 << "fail" << false << QByteArray();
    QTest::newRow("continue: 100 after 1.5 s (R12)")
        << "continue-small" << k100 << 1500 << false << k200 << "warn" << false << QByteArray();
    QTest::newRow("continue: 100 but no final (R9)")
        << "continue-small" << k100 << 1 << false << QByteArray() << "fail" << false << QByteArray();
    QTest::newRow("continue: early 413") << "continue-small" << k413Close << 1 << true << QByteArray() << "pass"
                                         << false << QByteArray();
    QTest::newRow("continue: 417 (R6)") << "continue-small" << k417Close << 1 << true << QByteArray() << "warn" << false
                                        << QByteArray();
    QTest::newRow("large: 100 then 200") << "continue-large" << k100 << 1 << false << k200 << "pass" << false
                                         << QByteArray();
    QTest::newRow("chunked: 100 then 200")
        << "chunked" << k100 << 1 << false << k200 << "pass" << false << QByteArray();
    QTest::newRow("chunked: silent (R11)")
        << "chunked" << QByteArray() << 1 << false << k200 << "fail" << false << QByteArray();
    // R4/R8: the body comes with the head.
    QTest::newRow("at once: 200") << "body-at-once" << k200 << 1 << false << QByteArray() << "pass" << false
                                  << QByteArray();
    QTest::newRow("at once: 100 then 200")
        << "body-at-once" << k100 + k200 << 1 << false << QByteArray() << "pass" << false << QByteArray();
    QTest::newRow("at once: nothing (R4)")
        << "body-at-once" << QByteArray() << 1 << false << QByteArray() << "fail" << false << QByteArray();
    // R1
    QTest::newRow("unknown: 417") << "unknown-expectation" << k417Close << 1 << true << QByteArray() << "pass" << false
                                  << QByteArray();
    QTest::newRow("unknown: ignored, 200")
        << "unknown-expectation" << QByteArray() << 1 << false << k200 << "warn" << false << QByteArray();
    QTest::newRow("unknown: 100 then 200")
        << "unknown-expectation" << k100 << 1 << false << k200 << "warn" << false << QByteArray();
    QTest::newRow("case variant: 100") << "case-variant" << k100 << 1 << false << k200 << "pass" << false
                                       << QByteArray();
    QTest::newRow("case variant: 417 (R1)")
        << "case-variant" << k417Close << 1 << true << QByteArray() << "fail" << false << QByteArray();
    // R7/R15
    QTest::newRow("http/1.0: no 1xx") << "http10-expect" << QByteArray() << 1 << false << k200 << "pass" << false
                                      << QByteArray();
    QTest::newRow("http/1.0: 100 (R15)") << "http10-expect" << k100 << 1 << false << k200 << "fail" << false
                                         << QByteArray();
    // R2/R8
    QTest::newRow("no content: 200") << "no-content" << k200 << 1 << false << QByteArray() << "pass" << false
                                     << QByteArray();
    QTest::newRow("no content: stalls (R8)")
        << "no-content" << QByteArray() << 1 << false << QByteArray() << "fail" << false << QByteArray();
    // R10/R19/R22
    QTest::newRow("early: 413 close, closes")
        << "early-final" << k413Close << 1 << true << QByteArray() << "pass" << false << QByteArray();
    QTest::newRow("early: 413 close, lingers")
        << "early-final" << k413Close << 1 << false << QByteArray() << "pass" << false << QByteArray();
    QTest::newRow("early: 413 close, answers behind (R22)")
        << "early-final" << k413Close << 1 << false << k404 << "fail" << false << QByteArray();
    QTest::newRow("early: 413 keep-alive, desync (R19)")
        << "early-final" << k413 << 1 << false << k404 << "fail" << false << QByteArray();
    QTest::newRow("early: 413 keep-alive, reads on (R10)")
        << "early-final" << k413 << 1 << false << QByteArray() << "warn" << false << QByteArray();
    QTest::newRow("early: 417 keep-alive (R10)")
        << "early-final" << k417 << 1 << false << QByteArray() << "warn" << false << QByteArray();
    QTest::newRow("early: 100, nothing to check")
        << "early-final" << k100 << 1 << false << QByteArray() << "info" << false << QByteArray();
    const QByteArray k417KeepAlive =
        "HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n";
    QTest::newRow("early: 417 keep-alive said (R10)")
        << "early-final" << k417KeepAlive << 1 << false << QByteArray() << "pass" << false << QByteArray();
    // The body is itself a request, a second request follows: one answer is right, two are a desync.
    QTest::newRow("desync: 417 close") << "early-final-desync" << k417Close << 1 << true << QByteArray() << "pass"
                                       << false << QByteArray();
    // One answer: the second request's, and the close it asked for.
    QTest::newRow("desync: 417, body drained")
        << "early-final-desync" << k417 << 1 << false << k200 << "pass" << true << QByteArray();
    // One answer but no close although the second request asked for one: cannot be a correct reading.
    QTest::newRow("desync: 417, one answer, no close (R19 or R22)")
        << "early-final-desync" << k417 << 1 << false << k200 << "fail" << false << QByteArray();
    // Case 13: the early answer's body in a write of its own must not end the listening window.
    QTest::newRow("desync: 417 head and body written apart, body read as a request (R19)")
        << "early-final-desync" << QByteArray("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 3\r\n\r\n") << 1
        << false << k404 + k200 << "fail" << false << QByteArray("no!");
    QTest::newRow("early 413 head and body written apart, then the request behind answered (R19)")
        << "early-final" << QByteArray("HTTP/1.1 413 Content Too Large\r\nContent-Length: 3\r\n\r\n") << 1 << false
        << k200 << "fail" << false << QByteArray("no!");
    // Case 15: no valid answer is a failure; a question that could not be asked is inconclusive.
    QTest::newRow("early: silent (R11)") << "early-final" << QByteArray() << 1 << false << QByteArray() << "fail"
                                         << false << QByteArray();
    QTest::newRow("early: garbage") << "early-final" << QByteArray("HTTX/9.9 ABC\r\n\r\n") << 1 << true << QByteArray()
                                    << "fail" << false << QByteArray();
    QTest::newRow("desync: closed without an answer")
        << "early-final-desync" << QByteArray() << 1 << true << QByteArray() << "fail" << false << QByteArray();
    const QByteArray k501http10 = "HTTP/1.0 501 Unsupported method ('POST')\r\nContent-Length: 0\r\n\r\n";
    QTest::newRow("continue: HTTP/1.0 server answers 501 (Python's http.server)")
        << "continue-small" << k501http10 << 1 << true << QByteArray() << "inconclusive" << false << QByteArray();
    QTest::newRow("continue: 405 to POST (nginx, static file)")
        << "continue-small" << QByteArray("HTTP/1.1 405 Not Allowed\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        << 1 << true << QByteArray() << "inconclusive" << false << QByteArray();
    QTest::newRow("unknown expectation: 501")
        << "unknown-expectation" << k501http10 << 1 << true << QByteArray() << "inconclusive" << false << QByteArray();
    // Case 14: closed right after a keep-alive 417: say so, not "neither answered nor closed".
    QTest::newRow("desync: 417 without close, then a close (Tomcat, Varnish)")
        << "early-final-desync" << k417 << 1 << true << QByteArray() << "warn" << false << QByteArray();
    QTest::newRow("desync: 417, body read as a request (R19)")
        << "early-final-desync" << k417 << 1 << false << k404 + k200 << "fail" << false << QByteArray();
    QTest::newRow("desync: 417, then silence (R10)")
        << "early-final-desync" << k417 << 1 << false << QByteArray() << "warn" << false << QByteArray();
    QTest::newRow("desync: no early final")
        << "early-final-desync" << QByteArray() << 1 << false << k200 + k200 << "info" << false << QByteArray();
}

void TstProbeExchange::battery()
{
    QFETCH(QString, scenario);
    QFETCH(QByteArray, onHead);
    QFETCH(int, onHeadDelayMs);
    QFETCH(bool, closeAfterHead);
    QFETCH(QByteArray, onBody);
    QFETCH(QString, verdict);
    QFETCH(bool, closeAfterBody);
    QFETCH(QByteArray, onHeadLater);

    const ProbeScenario s = scenarioById(scenario);
    QVERIFY2(!s.id.isEmpty(), qPrintable(scenario));
    const ProbeObservation obs =
        runScripted(s, {onHead, onHeadDelayMs, closeAfterHead, onBody, closeAfterBody, onHeadLater});
    QVERIFY(obs.endNs > 0);
    const ProbeResult r = probe::makeResult(s, obs);
    QVERIFY2(verdictName(r.verdict) == verdict,
             qPrintable(QStringLiteral("%1: %2").arg(verdictName(r.verdict), r.message)));
    QVERIFY(!r.message.isEmpty());
}

void TstProbeExchange::batteryHasTheIssuesScenarios()
{
    ProbeTarget t;
    t.host = "h";
    QStringList ids;
    for (const ProbeScenario &s : probe::battery(t)) {
        ids << s.id;
        QVERIFY2(!s.rules.isEmpty(), qPrintable(s.id));
        for (const QString &rule : s.rules)
            QVERIFY2(rule.startsWith(QLatin1Char('R')), qPrintable(rule));
    }
    const QStringList expected{"continue-small",     "continue-large", "body-at-once", "unknown-expectation",
                               "case-variant",       "http10-expect",  "no-content",   "early-final",
                               "early-final-desync", "chunked"};
    QCOMPARE(ids, expected);
}

void TstProbeExchange::timingsAndEvidence()
{
    const ProbeScenario s = scenarioById(QStringLiteral("continue-small"));
    const ProbeObservation obs = runScripted(s, {k100, 7, false, k200, false, {}});
    const ProbeResult r = probe::makeResult(s, obs);
    QVERIFY(r.timings.firstResponseMs.has_value());
    QCOMPARE(*r.timings.firstResponseMs, 7.0);
    QCOMPARE(r.statuses, (QList<int>{100, 200}));
    QList<EventKind> kinds;
    for (const TimelineEvent &e : obs.events)
        kinds << e.kind;
    const QList<EventKind> expected{EventKind::Connect,      EventKind::Connected, EventKind::HeadSent,
                                    EventKind::Interim,      EventKind::BodyStart, EventKind::Final,
                                    EventKind::ResponseDone, EventKind::Closed};
    QCOMPARE(kinds, expected);
    // The head is sent alone: the body waits for the 100 (R3).
    QVERIFY(obs.events.at(2).detail.contains(QLatin1String("Expect: 100-continue")));
    QCOMPARE(obs.events.at(4).tNs, 7 * kMs);
}

void TstProbeExchange::caseVariantComparesWithPlain()
{
    // A server that rejects every 100-continue is consistent: the case variant only warns.
    const ProbeScenario plain = scenarioById(QStringLiteral("continue-small"));
    const ProbeResult plainResult = probe::makeResult(plain, runScripted(plain, {k417Close, 1, true, {}, false, {}}));
    QCOMPARE(plainResult.verdict, ProbeVerdict::Warn);
    const ProbeScenario variant = scenarioById(QStringLiteral("case-variant"));
    const ProbeResult r =
        probe::makeResult(variant, runScripted(variant, {k417Close, 1, true, {}, false, {}}), {plainResult});
    QCOMPARE(r.verdict, ProbeVerdict::Warn);
}

QTEST_GUILESS_MAIN(TstProbeExchange)
#include "tst_probeexchange.moc"
