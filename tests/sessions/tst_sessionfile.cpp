// Session files (.expectlab.json): every field survives save and open; a newer or broken file is
// refused with a message and changes nothing.

#include "matrixrunner.h"
#include "probebattery.h"
#include "proberunner.h"
#include "sessionfile.h"
#include "sessionrecorder.h"
#include "sessionsupport.h"
#include "testserver.h"
#include "unit/proxypair.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include "sessionrecorder.h"

using namespace expectlab;
using sessiontest::differences;

namespace {

// A session with every field set to something other than its default, including 64-bit times past
// 2^53 (doubles would round them), Latin-1 header bytes, binary previews with NUL bytes.
Session syntheticSession()
{
    Session s;
    s.originNs = 9'007'199'254'740'993LL; // 2^53 + 1
    s.originUtc = QDateTime(QDate(2026, 11, 25), QTime(10, 11, 12, 345), Qt::UTC);
    s.serverPolicy = QStringLiteral("final:413");
    s.note = QStringLiteral("note with \"quotes\", comma and ünïcödé");

    ExchangeSummary x;
    x.id = 7;
    x.url = QUrl(QStringLiteral("http://127.0.0.1:8080/up%20load?q=a%26b"));
    x.method = "PUT";
    x.requestHeaders = {
        {"Host", "127.0.0.1:8080"}, {"X-Latin1", "caf\xe9"}, {"Expect", "100-continue"}, {"X-Empty", ""}};
    x.bodyBytes = 5'000'000'000LL;
    x.startNs = s.originNs + 11;
    x.endNs = s.originNs + 1'234'567'891;
    for (int k = 0; k < 3; ++k) {
        TimelineEvent e;
        e.tNs = x.startNs + k * 1000 + 1;
        e.side = Side::Client;
        e.conn = 7;
        e.kind = k == 0 ? EventKind::HeadSent : (k == 1 ? EventKind::Interim : EventKind::Final);
        e.status = k == 0 ? 0 : (k == 1 ? 100 : 413);
        e.bytes = k == 0 ? 321 : -1;
        e.detail = QStringLiteral("detail %1, with\nline break").arg(k);
        e.rule = k == 2 ? QStringLiteral("R21") : QString();
        // Typed facts of format 2, each of a kind.
        e.request = k + 1;
        if (k == 0) {
            MessageHead sent;
            sent.method = "PUT";
            sent.target = "/up%20load";
            sent.headers = x.requestHeaders;
            e.withHead(sent);
            e.endpoints = std::make_shared<const Endpoints>(
                Endpoints{QHostAddress(QStringLiteral("::1")), 40000, QHostAddress(QStringLiteral("127.0.0.1")), 8080});
        }
        if (k == 2) {
            e.bodyNotSent = 4'999'999'000LL;
            e.notSent = true;
            e.error = ErrorKind::Reset;
        }
        x.events << e;
    }
    x.errorKind = ErrorKind::Reset;
    x.responseComplete = true;
    x.sentAnyway = true;
    AttemptSummary first;
    first.expect = "100-continue";
    first.startNs = x.startNs;
    first.endNs = x.startNs + 500;
    first.finalStatus = 417;
    first.finalHead.status = 417;
    first.bodyBytesSent = 12;
    x.earlierAttempts = {first};
    MessageHead interim;
    interim.status = 100;
    interim.reason = "Continue";
    interim.headers = {{"X-Interim", "1"}};
    MessageHead processing = interim;
    processing.status = 102;
    processing.reason = "Processing";
    processing.versionMinor = 0;
    x.interimHeads = {interim, processing};
    x.finalStatus = 413;
    x.finalHead.status = 413;
    x.finalHead.reason = "Content Too Large";
    x.finalHead.headers = {{"Connection", "close"}, {"Content-Length", "3"}};
    x.responseBodyPreview = QByteArray("a\0b\xff", 4);
    x.responseBodyBytes = 99'999;
    x.expectWaitNs = 1'500'000;
    x.bodyBytesSent = 0;
    x.bytesSaved = 5'000'000'000LL;
    x.expectSent = true;
    x.retried = true;
    x.cancelled = true;
    x.error = QStringLiteral("an error, \"quoted\"");
    WireLog log(1000);
    log.add(WireLog::Direction::Sent, x.startNs + 5, "PUT /x HTTP/1.1\r\n\r\n", false);
    log.add(WireLog::Direction::Sent, x.startNs + 6, QByteArray(300, '\0'), true);
    log.add(WireLog::Direction::Received, x.startNs + 9, "HTTP/1.1 413 X\r\n\r\n", false);
    WireLog full(20); // a log that filled up: what it dropped is counted, and kept in the file
    full.add(WireLog::Direction::Sent, x.startNs, QByteArray(20, 'h'), false);
    full.add(WireLog::Direction::Received, x.startNs + 1, QByteArray(30, 'r'), false);
    x.wireLogs = {log, WireLog(), full};
    s.exchanges << x;

    ExchangeSummary unfinished; // defaults, no final response
    unfinished.id = 8;
    s.exchanges << unfinished;

    TimelineEvent se;
    se.tNs = s.originNs + 3;
    se.side = Side::Server;
    se.conn = 2;
    se.kind = EventKind::FinalSent;
    se.status = 413;
    se.bytes = 40;
    se.detail = QStringLiteral("policy final:413");
    se.rule = QStringLiteral("R11");
    s.serverEvents << se;
    TimelineEvent closed = se;
    closed.kind = EventKind::Closed;
    closed.closedBy = Closer::Local;
    closed.reset = true;
    closed.bytesBeforeFinal = 7;
    closed.bytesAfterFinal = 9;
    s.serverEvents << closed;
    ClientProfile profile;
    profile.conn = 2;
    profile.request = 1;
    profile.expect = QStringLiteral("100-continue");
    profile.wait = ClientProfile::Wait::UntilClose;
    profile.waitNs = 5;
    profile.closedBy = Closer::Peer;
    TimelineEvent profiled = se;
    profiled.kind = EventKind::Profile;
    profiled.detail = profile.toDetail();
    profiled.profile = std::make_shared<const ClientProfile>(profile);
    s.serverEvents << profiled;
    s.droppedServerEvents = 3;

    SessionServerConnection c;
    c.id = 2;
    c.peerAddress = QStringLiteral("::1");
    c.peerPort = 54321;
    c.exchangeId = 7;
    c.wire = log;
    s.serverConnections << c;
    return s;
}

} // namespace

class TestSessionFile : public QObject
{
    Q_OBJECT

private slots:
    void readsVersion1()
    {
        // A file of the first format (tests/sessions/session-v1.expectlab.json, written by ExpectLab
        // before the typed event facts): it opens, and what it had only as text or in its wire logs
        // becomes the typed facts the views read.
        QString error;
        const auto s = loadSession(qEnvironmentVariable("EXPECTLAB_SOURCE_DIR") +
                                       QStringLiteral("/tests/sessions/session-v1.expectlab.json"),
                                   &error);
        QVERIFY2(s, qPrintable(error));
        QCOMPARE(s->exchanges.size(), 1);
        const ExchangeSummary &x = s->exchanges.first();
        QVERIFY(x.finished());
        QVERIFY(x.responseComplete);
        QVERIFY(x.succeeded());
        const auto head = std::find_if(x.events.cbegin(), x.events.cend(),
                                       [](const TimelineEvent &e) { return e.kind == EventKind::HeadSent; });
        QVERIFY(head != x.events.cend() && head->head && head->head->hasHeader("Expect"));
        int serverHeads = 0;
        for (const TimelineEvent &e : s->serverEvents) {
            if (e.kind == EventKind::Head) {
                QVERIFY2(e.head, "a v1 server head gets its head from the wire log");
                QCOMPARE(e.head->method, QByteArray("POST"));
                ++serverHeads;
            }
        }
        QCOMPARE(serverHeads, 2);
    }

    void recorderBoundsAConnection()
    {
        SessionRecorder recorder;
        TimelineEvent e;
        e.side = Side::Server;
        e.conn = 1;
        e.kind = EventKind::Head;
        for (int i = 0; i < SessionRecorder::kMaxEventsPerConnection + 5; ++i)
            recorder.addServerEvent(e);
        e.kind = EventKind::Closed;
        recorder.addServerEvent(e);
        QCOMPARE(recorder.session().serverEvents.size(), SessionRecorder::kMaxEventsPerConnection + 1);
        QCOMPARE(recorder.session().serverEvents.last().kind, EventKind::Closed);
        QCOMPARE(recorder.session().droppedServerEvents, 5);
    }

    void syntheticRoundTrip()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString path = dir.filePath(QStringLiteral("s.expectlab.json"));
        const Session original = syntheticSession();
        QString error;
        QVERIFY2(saveSession(original, path, &error), qPrintable(error));
        const auto loaded = loadSession(path, &error);
        QVERIFY2(loaded, qPrintable(error));
        const QStringList diffs = differences(original, *loaded);
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join(QLatin1Char(' '))));

        // The comparison itself must notice a change, or the test above proves nothing.
        Session changed = *loaded;
        changed.exchanges[0].wireLogs[0] = WireLog(1000);
        changed.exchanges[0].events[2].rule = QStringLiteral("R1");
        QCOMPARE(differences(original, changed),
                 QStringList({QStringLiteral("exchanges[0].events[2].rule"),
                              QStringLiteral("exchanges[0].wireLogs[0].records.size")}));
    }

    // The recording proxy's session (format 5): both hops' events with their hop, exchange and
    // decisions, the connections' wire logs and how the proxy ran come back field for field.
    void proxyRoundTrip()
    {
        ProxyConfig config;
        config.mode = ProxyMode::Answer100;
        config.upstream = QUrl(QStringLiteral("http://127.0.0.1:8080/"));
        testing::ProxyPair pair(config, *ServerPolicy::parse(QStringLiteral("reject")));
        pair.clientSends("PUT /f HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nExpect: 100-continue\r\n\r\n");
        pair.clientSends("abc");
        SessionRecorder recorder;
        recorder.setProxy({QStringLiteral("answer-100"), config.upstream.toString(), false,
                           QStringLiteral("http://127.0.0.1:3128/")});
        for (const TimelineEvent &e : std::as_const(pair.events))
            recorder.addProxyEvent(e);
        recorder.setProxyConnection(
            {Hop::Downstream, 1, QStringLiteral("127.0.0.1"), 50000, pair.relay.server().wireLog()});
        recorder.setProxyConnection({Hop::Upstream, 1, QStringLiteral("127.0.0.1"), 8080, pair.relay.hop().wireLog()});
        const Session original = recorder.session();
        QVERIFY(!original.isEmpty());
        QVERIFY(std::any_of(original.proxyEvents.cbegin(), original.proxyEvents.cend(),
                            [](const TimelineEvent &e) { return e.decision == ProxyDecision::Own100; }));
        QString error;
        const auto loaded = sessionFromBytes(sessionToBytes(original), &error);
        QVERIFY2(loaded, qPrintable(error));
        const QStringList diffs = differences(original, *loaded);
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join(QLatin1Char(' '))));
        Session changed = *loaded;
        changed.proxyEvents[1].exchange = 7;
        QCOMPARE(differences(original, changed), QStringList{QStringLiteral("proxyEvents[1].exchange")});
    }

    // The Probe and Matrix tabs' last runs are part of the session (issue 14): a real probe of a
    // local server and a real matrix run come back field for field.
    void toolResultsRoundTrip()
    {
        TestServer server;
        server.setPolicy(*ServerPolicy::parse(QStringLiteral("reject")));
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        const QUrl url(QStringLiteral("http://127.0.0.1:%1/upload").arg(server.port()));
        ProbeRunner probe(url, 2000);
        // Three scenarios are enough to carry every kind of field; the battery's order is its own.
        probe.setScenarios(probe::battery(probe::targetFromUrl(url, 2000)).mid(0, 3));
        QSignalSpy reported(&probe, &ProbeRunner::reported);
        probe.start();
        QVERIFY(reported.wait(30000));
        Session original = syntheticSession();
        original.probe = probe.report();
        QCOMPARE(original.probe->results.size(), 3);
        QVERIFY(!original.probe->results.first().observation.responses.isEmpty());

        MatrixSpec spec;
        spec.clients = *MatrixSpec::parseClients(QStringLiteral("expect,no-expect"), nullptr);
        spec.policies = *MatrixSpec::parsePolicies(QStringLiteral("continue,final:413"), nullptr);
        spec.sizes = {4096};
        MatrixRunner matrix;
        QSignalSpy finished(&matrix, &MatrixRunner::finished);
        QString error;
        QVERIFY2(matrix.start(spec, &error), qPrintable(error));
        QVERIFY(finished.wait(60000));
        original.matrix = matrix.result();
        QCOMPARE(original.matrix->cells.size(), 4);

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("tools.expectlab.json"));
        QVERIFY2(saveSession(original, path, &error), qPrintable(error));
        const auto loaded = loadSession(path, &error);
        QVERIFY2(loaded, qPrintable(error));
        const QStringList diffs = differences(original, *loaded);
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join(QLatin1Char(' '))));
        QCOMPARE(loaded->matrix->cells.at(2).outcome(), original.matrix->cells.at(2).outcome());

        // The comparison notices a change in either, or the test above proves nothing.
        Session changed = *loaded;
        changed.probe->results[1].observation.responses[0].headNs += 1;
        changed.matrix->cells[3].summary.events[0].detail += QLatin1Char('x');
        QCOMPARE(differences(original, changed),
                 QStringList({QStringLiteral("probe.results[1].responses[0].headNs"),
                              QStringLiteral("matrix.cells[3].summary.events[0].detail")}));
        changed = *loaded;
        changed.matrix.reset();
        QCOMPARE(differences(original, changed), QStringList({QStringLiteral("matrix")}));
    }

    void toolResultsRefused_data()
    {
        QTest::addColumn<QString>("part");
        QTest::addColumn<QString>("key");
        QTest::addColumn<QJsonValue>("value");
        QTest::addColumn<QString>("message");
        QTest::newRow("verdict") << "probe"
                                 << "verdict" << QJsonValue(QStringLiteral("great"))
                                 << QStringLiteral("probe.results[0].verdict: unknown verdict 'great'");
        QTest::newRow("client") << "matrix"
                                << "client" << QJsonValue(QStringLiteral("expect:soon"))
                                << QStringLiteral("matrix.cells[0].client");
        QTest::newRow("policy") << "matrix"
                                << "policy" << QJsonValue(QStringLiteral("teapot"))
                                << QStringLiteral("matrix.cells[0].policy");
        QTest::newRow("cell outside") << "matrix"
                                      << "size_index" << QJsonValue(7)
                                      << QStringLiteral("matrix.cells[0]: cell outside the matrix's axes");
        QTest::newRow("missing exchange") << "matrix"
                                          << "exchange" << QJsonValue(QJsonValue::Undefined)
                                          << QStringLiteral("matrix.cells[0]: missing field 'exchange'");
    }

    void toolResultsRefused()
    {
        QFETCH(QString, part);
        QFETCH(QString, key);
        QFETCH(QJsonValue, value);
        QFETCH(QString, message);
        Session s = syntheticSession();
        ProbeResult result;
        result.id = QStringLiteral("basic");
        result.verdict = ProbeVerdict::Pass;
        s.probe = ProbeReport{QUrl(QStringLiteral("http://127.0.0.1:1/")), 1000, {result}, {}, {}};
        MatrixResult m;
        m.spec.clients = {ClientBehaviour{}};
        m.spec.policies = {*ServerPolicy::parse(QStringLiteral("continue"))};
        m.spec.sizes = {10};
        m.cells = {MatrixCell{}};
        s.matrix = m;
        QJsonObject o = sessionToJson(s);
        QVERIFY(sessionFromJson(o, nullptr)); // the untouched document is fine
        QJsonObject tool = o.value(part).toObject();
        const QString list = part == QLatin1String("probe") ? QStringLiteral("results") : QStringLiteral("cells");
        QJsonArray items = tool.value(list).toArray();
        QJsonObject first = items.at(0).toObject();
        if (value.isUndefined())
            first.remove(key);
        else
            first.insert(key, value);
        items[0] = first;
        tool.insert(list, items);
        o.insert(part, tool);
        QString error;
        QVERIFY(!sessionFromJson(o, &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void fileHasFormatAndVersion()
    {
        const QJsonObject o = sessionToJson(syntheticSession());
        QCOMPARE(o.value(QStringLiteral("format")).toString(), QStringLiteral("expectlab-session"));
        QCOMPARE(o.value(QStringLiteral("version")).toInt(), kSessionVersion);
    }

    void recordedRoundTrip_data()
    {
        QTest::addColumn<QString>("policy");
        QTest::addColumn<bool>("retry");
        QTest::addColumn<bool>("tls");
        QTest::newRow("continue") << QStringLiteral("continue") << true << false;
        QTest::newRow("reject then retry") << QStringLiteral("reject") << true << false;
        QTest::newRow("final:413") << QStringLiteral("final:413") << false << false;
        // Issue 15: the handshake's facts, on the exchange and on both sides' tls_done, come back.
        QTest::newRow("continue over https") << QStringLiteral("continue") << true << true;
        QTest::newRow("reject then retry over https") << QStringLiteral("reject") << true << true;
    }

    void recordedRoundTrip()
    {
        QFETCH(QString, policy);
        QFETCH(bool, retry);
        QFETCH(bool, tls);
        ClientRequest request;
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = 20000;
        request.retryWithoutExpect = retry;
        request.headers = {{"X-Test", "yes"}};
        QList<TimelineEvent> serverEvents;
        const ExchangeSummary summary = sessiontest::runExchange(policy, request, 3, &serverEvents, tls);
        QVERIFY(summary.finished());
        QVERIFY(!summary.wireLogs.isEmpty());
        QCOMPARE(bool(summary.tls), tls);
        const auto serverTls = std::find_if(serverEvents.cbegin(), serverEvents.cend(),
                                            [](const TimelineEvent &e) { return e.kind == EventKind::TlsDone; });
        QCOMPARE(serverTls != serverEvents.cend() && (*serverTls).tls, tls);

        SessionRecorder recorder;
        recorder.setServerPolicy(policy);
        recorder.addExchange(summary);
        for (const TimelineEvent &e : serverEvents)
            recorder.addServerEvent(e);
        const Session original = recorder.session();

        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("run.expectlab.json"));
        QString error;
        QVERIFY2(saveSession(original, path, &error), qPrintable(error));
        const auto loaded = loadSession(path, &error);
        QVERIFY2(loaded, qPrintable(error));
        const QStringList diffs = differences(original, *loaded);
        QVERIFY2(diffs.isEmpty(), qPrintable(diffs.join(QLatin1Char(' '))));
        QCOMPARE(loaded->exchanges.first().outcomeText(), summary.outcomeText());
        if (tls) {
            // Not merely present: the file says what curl would, and a foreign reader can use it.
            QCOMPARE(loaded->exchanges.first().tls->peerSubject, QStringLiteral("CN=ExpectLab local test server"));
            const QJsonObject written = sessionToJson(original)
                                            .value(QStringLiteral("exchanges"))
                                            .toArray()
                                            .at(0)
                                            .toObject()
                                            .value(QStringLiteral("tls"))
                                            .toObject();
            QVERIFY(written.value(QStringLiteral("protocol")).toString().startsWith(QLatin1String("TLSv1.")));
            QCOMPARE(written.value(QStringLiteral("alpn")).toString(), QStringLiteral("http/1.1"));
        }
    }

    void refused_data()
    {
        QTest::addColumn<QByteArray>("content");
        QTest::addColumn<QString>("message");

        const QJsonObject good = sessionToJson(syntheticSession());
        auto doc = [](const QJsonObject &o) {
            return QJsonDocument(o).toJson();
        };
        auto with = [&good](const QString &key, const QJsonValue &v) {
            QJsonObject o = good;
            o.insert(key, v);
            return o;
        };
        auto exchangeWith = [&good](const QString &key, const QJsonValue &v) {
            QJsonObject o = good;
            QJsonArray list = o.value(QStringLiteral("exchanges")).toArray();
            QJsonObject x = list.at(0).toObject();
            if (v.isUndefined())
                x.remove(key);
            else
                x.insert(key, v);
            list[0] = x;
            o.insert(QStringLiteral("exchanges"), list);
            return o;
        };
        QByteArray whole = doc(good);

        QTest::newRow("newer version") << doc(with(QStringLiteral("version"), kSessionVersion + 1))
                                       << QStringLiteral("newer ExpectLab");
        QTest::newRow("not json") << QByteArray("{\"format\": \"expectlab-session\", ")
                                  << QStringLiteral("not valid JSON");
        QTest::newRow("truncated") << whole.left(whole.size() / 2) << QStringLiteral("not valid JSON");
        QTest::newRow("empty file") << QByteArray() << QStringLiteral("not valid JSON");
        QTest::newRow("array") << QByteArray("[1,2]") << QStringLiteral("not a JSON object");
        QTest::newRow("other format") << doc(with(QStringLiteral("format"), QStringLiteral("har")))
                                      << QStringLiteral("not an ExpectLab session");
        QTest::newRow("version text") << doc(with(QStringLiteral("version"), QStringLiteral("1")))
                                      << QStringLiteral("\"version\" field");
        QTest::newRow("exchanges not array")
            << doc(with(QStringLiteral("exchanges"), 3)) << QStringLiteral("exchanges: expected an array");
        QTest::newRow("missing field") << doc(exchangeWith(QStringLiteral("start_ns"), QJsonValue::Undefined))
                                       << QStringLiteral("exchanges[0]: missing field 'start_ns'");
        QTest::newRow("wrong type") << doc(exchangeWith(QStringLiteral("retried"), QStringLiteral("yes")))
                                    << QStringLiteral("exchanges[0].retried: expected true or false");
        QTest::newRow("fractional integer") << doc(exchangeWith(QStringLiteral("body_bytes"), 1.5))
                                            << QStringLiteral("exchanges[0].body_bytes: expected an integer");
        QTest::newRow("tls not an object")
            << doc(exchangeWith(QStringLiteral("tls"), 7)) << QStringLiteral("exchanges[0].tls: expected an object");
        QTest::newRow("tls protocol missing")
            << doc(exchangeWith(QStringLiteral("tls"), QJsonObject{{QStringLiteral("cipher"), QStringLiteral("x")}}))
            << QStringLiteral("exchanges[0]: tls.protocol: expected a string");
        QTest::newRow("tls bad not_after")
            << doc(exchangeWith(QStringLiteral("tls"),
                                QJsonObject{{QStringLiteral("protocol"), QStringLiteral("TLSv1.3")},
                                            {QStringLiteral("cipher"), QStringLiteral("x")},
                                            {QStringLiteral("peer"),
                                             QJsonObject{{QStringLiteral("subject"), QStringLiteral("CN=a")},
                                                         {QStringLiteral("issuer"), QStringLiteral("CN=a")},
                                                         {QStringLiteral("sha256"), QStringLiteral("AB")},
                                                         {QStringLiteral("not_after"), QStringLiteral("soon")}}}}))
            << QStringLiteral("tls.peer.not_after: expected an ISO 8601 time");
        QTest::newRow("bad base64") << doc(exchangeWith(QStringLiteral("response_body_preview_b64"),
                                                        QStringLiteral("@@@")))
                                    << QStringLiteral("invalid base64");
        QJsonObject badKind = good;
        {
            QJsonArray events = badKind.value(QStringLiteral("server_events")).toArray();
            QJsonObject e = events.at(0).toObject();
            e.insert(QStringLiteral("kind"), QStringLiteral("teleported"));
            events[0] = e;
            badKind.insert(QStringLiteral("server_events"), events);
        }
        QTest::newRow("unknown kind") << doc(badKind)
                                      << QStringLiteral("server_events[0].kind: unknown event kind 'teleported'");
    }

    void refused()
    {
        QFETCH(QByteArray, content);
        QFETCH(QString, message);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("bad.expectlab.json"));
        {
            QFile f(path);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(content);
        }
        // What the user has open stays as it is: the recorder is only touched on success.
        SessionRecorder recorder;
        recorder.addExchange(syntheticSession().exchanges.first());
        const quint64 revision = recorder.revision();
        QString error;
        const auto loaded = loadSession(path, &error);
        if (loaded)
            recorder.setSession(*loaded);
        QVERIFY(!loaded);
        QVERIFY2(error.contains(message), qPrintable(error));
        QVERIFY2(error.contains(path), qPrintable(error));
        QCOMPARE(recorder.revision(), revision);
        QCOMPARE(recorder.session().exchanges.size(), 1);
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        QCOMPARE(f.readAll(), content); // opening never rewrites the file
    }

    void missingFile()
    {
        QString error;
        QVERIFY(!loadSession(QStringLiteral("/nonexistent/dir/x.expectlab.json"), &error));
        QVERIFY2(error.contains(QStringLiteral("cannot open")), qPrintable(error));
    }

    void saveFailure()
    {
        QString error;
        QVERIFY(!saveSession(syntheticSession(), QStringLiteral("/nonexistent/dir/x.expectlab.json"), &error));
        QVERIFY2(error.contains(QStringLiteral("cannot write")), qPrintable(error));
    }
};

QTEST_GUILESS_MAIN(TestSessionFile)
#include "tst_sessionfile.moc"
