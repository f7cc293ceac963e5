// HAR 1.2 export checked against the spec's required fields and types, HAR import (ours and a
// browser's), and the events CSV.

#include "eventcsv.h"
#include "harexport.h"
#include "harimport.h"
#include "sessionsupport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

using namespace expectlab;

namespace {

// JSON written with single quotes, for readability in the tables below.
QByteArray json(const char *text)
{
    return QByteArray(text).replace('\'', '"');
}

// Checks the HAR 1.2 structure: required fields present with the right JSON types. Returns the
// first problem, empty when the document conforms.
class HarChecker
{
public:
    QString check(const QJsonObject &har)
    {
        const QJsonObject log = object(har, QStringLiteral("log"), QStringLiteral("log"));
        string(log, QStringLiteral("log"), "version");
        if (log.value(QStringLiteral("version")).toString() != QLatin1String("1.2"))
            problem(QStringLiteral("log.version is not 1.2"));
        const QJsonObject creator = object(log, QStringLiteral("creator"), QStringLiteral("log.creator"));
        string(creator, QStringLiteral("log.creator"), "name");
        string(creator, QStringLiteral("log.creator"), "version");
        const QJsonArray entries = array(log, QStringLiteral("log"), "entries");
        for (qsizetype i = 0; i < entries.size(); ++i)
            entry(entries.at(i).toObject(), QStringLiteral("log.entries[%1]").arg(i));
        return m_problem;
    }

private:
    void problem(const QString &p)
    {
        if (m_problem.isEmpty())
            m_problem = p;
    }
    QJsonObject object(const QJsonObject &o, const QString &key, const QString &path)
    {
        if (!o.value(key).isObject())
            problem(path + QStringLiteral(": missing or not an object"));
        return o.value(key).toObject();
    }
    void string(const QJsonObject &o, const QString &path, const char *key)
    {
        if (!o.value(QLatin1String(key)).isString())
            problem(QStringLiteral("%1.%2: missing or not a string").arg(path, QLatin1String(key)));
    }
    void number(const QJsonObject &o, const QString &path, const char *key)
    {
        if (!o.value(QLatin1String(key)).isDouble())
            problem(QStringLiteral("%1.%2: missing or not a number").arg(path, QLatin1String(key)));
    }
    QJsonArray array(const QJsonObject &o, const QString &path, const char *key)
    {
        if (!o.value(QLatin1String(key)).isArray())
            problem(QStringLiteral("%1.%2: missing or not an array").arg(path, QLatin1String(key)));
        return o.value(QLatin1String(key)).toArray();
    }
    void nameValues(const QJsonObject &o, const QString &path, const char *key)
    {
        const QJsonArray list = array(o, path, key);
        for (qsizetype i = 0; i < list.size(); ++i) {
            const QString at = QStringLiteral("%1.%2[%3]").arg(path, QLatin1String(key)).arg(i);
            string(list.at(i).toObject(), at, "name");
            string(list.at(i).toObject(), at, "value");
        }
    }
    void entry(const QJsonObject &e, const QString &p)
    {
        string(e, p, "startedDateTime");
        if (!QDateTime::fromString(e.value(QStringLiteral("startedDateTime")).toString(), Qt::ISODateWithMs).isValid())
            problem(p + QStringLiteral(".startedDateTime: not ISO 8601"));
        if (!e.value(QStringLiteral("startedDateTime")).toString().endsWith(QLatin1Char('Z')))
            problem(p + QStringLiteral(".startedDateTime: no time zone"));
        number(e, p, "time");
        const QString rp = p + QStringLiteral(".request");
        const QJsonObject request = object(e, QStringLiteral("request"), rp);
        string(request, rp, "method");
        string(request, rp, "url");
        string(request, rp, "httpVersion");
        nameValues(request, rp, "cookies");
        nameValues(request, rp, "headers");
        nameValues(request, rp, "queryString");
        number(request, rp, "headersSize");
        number(request, rp, "bodySize");
        if (request.contains(QStringLiteral("postData"))) {
            string(request.value(QStringLiteral("postData")).toObject(), rp + QStringLiteral(".postData"), "mimeType");
        }
        const QString sp = p + QStringLiteral(".response");
        const QJsonObject response = object(e, QStringLiteral("response"), sp);
        number(response, sp, "status");
        string(response, sp, "statusText");
        string(response, sp, "httpVersion");
        nameValues(response, sp, "cookies");
        nameValues(response, sp, "headers");
        const QJsonObject content = object(response, QStringLiteral("content"), sp + QStringLiteral(".content"));
        number(content, sp + QStringLiteral(".content"), "size");
        string(content, sp + QStringLiteral(".content"), "mimeType");
        string(response, sp, "redirectURL");
        number(response, sp, "headersSize");
        number(response, sp, "bodySize");
        object(e, QStringLiteral("cache"), p + QStringLiteral(".cache"));
        const QString tp = p + QStringLiteral(".timings");
        const QJsonObject timings = object(e, QStringLiteral("timings"), tp);
        double sum = 0;
        for (const char *key : {"blocked", "dns", "connect", "ssl", "send", "wait", "receive"}) {
            const bool required =
                qstrcmp(key, "send") == 0 || qstrcmp(key, "wait") == 0 || qstrcmp(key, "receive") == 0;
            if (!required && !timings.contains(QLatin1String(key)))
                continue;
            number(timings, tp, key);
            const double v = timings.value(QLatin1String(key)).toDouble();
            if (required && v < 0)
                problem(QStringLiteral("%1.%2 is negative").arg(tp, QLatin1String(key)));
            if (!required && v < 0 && v != -1)
                problem(QStringLiteral("%1.%2 is negative but not -1").arg(tp, QLatin1String(key)));
            // HAR 1.2: ssl is included in connect (for HAR 1.1 readers), so it is not added twice.
            if (v > 0 && qstrcmp(key, "ssl") != 0)
                sum += v;
        }
        const double ssl = timings.value(QStringLiteral("ssl")).toDouble(-1);
        if (ssl > 0 && ssl > timings.value(QStringLiteral("connect")).toDouble(-1) + 0.001)
            problem(QStringLiteral("%1.ssl is not within connect").arg(tp));
        if (qAbs(sum - e.value(QStringLiteral("time")).toDouble()) > 0.01)
            problem(QStringLiteral("%1.time %2 is not the sum of the timings %3")
                        .arg(p)
                        .arg(e.value(QStringLiteral("time")).toDouble())
                        .arg(sum));
    }

    QString m_problem;
};

Session recordedSession(const QString &policy, bool expect, bool retry, qint64 size, bool tls = false)
{
    ClientRequest request;
    request.body.kind = BodySpec::Kind::Generated;
    request.body.generatedSize = size;
    request.expect = expect ? ClientRequest::ExpectMode::Default : ClientRequest::ExpectMode::Off;
    request.retryWithoutExpect = retry;
    request.headers = {{"Cookie", "a=1; b=2"}, {"Content-Type", "text/plain"}};
    Session s = Session::startingNow();
    s.serverPolicy = policy;
    s.exchanges << sessiontest::runExchange(policy, request, 1, &s.serverEvents, tls);
    return s;
}

} // namespace

class TestHarExport : public QObject
{
    Q_OBJECT

private slots:
    void checkerNoticesProblems()
    {
        // The structure check must be able to fail.
        QJsonObject har = sessionToHar(recordedSession(QStringLiteral("continue"), true, true, 100));
        QVERIFY(HarChecker().check(har).isEmpty());
        QJsonObject log = har.value(QStringLiteral("log")).toObject();
        QJsonArray entries = log.value(QStringLiteral("entries")).toArray();
        QJsonObject entry = entries.at(0).toObject();
        QJsonObject request = entry.value(QStringLiteral("request")).toObject();
        request.remove(QStringLiteral("queryString"));
        entry.insert(QStringLiteral("request"), request);
        entries[0] = entry;
        log.insert(QStringLiteral("entries"), entries);
        har.insert(QStringLiteral("log"), log);
        QCOMPARE(HarChecker().check(har),
                 QStringLiteral("log.entries[0].request.queryString: missing or not an array"));
    }

    void structure_data()
    {
        QTest::addColumn<QString>("policy");
        QTest::addColumn<bool>("expect");
        QTest::addColumn<bool>("retry");
        QTest::addColumn<int>("finalStatus"); // 0: none
        QTest::addColumn<QList<int>>("interims");
        QTest::addColumn<bool>("blocked"); // an earlier attempt shows as blocked time
        QTest::addColumn<bool>("tls");

        QTest::newRow("continue") << QStringLiteral("continue") << true << true << 200 << QList<int>{100} << false
                                  << false;
        QTest::newRow("no expect") << QStringLiteral("continue") << false << true << 200 << QList<int>{} << false
                                   << false;
        QTest::newRow("reject, retry") << QStringLiteral("reject") << true << true << 200 << QList<int>{} << true
                                       << false;
        QTest::newRow("reject, no retry")
            << QStringLiteral("reject") << true << false << 417 << QList<int>{} << false << false;
        QTest::newRow("final:413") << QStringLiteral("final:413") << true << true << 413 << QList<int>{} << false
                                   << false;
        QTest::newRow("close") << QStringLiteral("close") << true << true << 0 << QList<int>{} << false << false;
        QTest::newRow("continue over https")
            << QStringLiteral("continue") << true << true << 200 << QList<int>{100} << false << true;
        QTest::newRow("reject, retry over https")
            << QStringLiteral("reject") << true << true << 200 << QList<int>{} << true << true;
    }

    void structure()
    {
        QFETCH(QString, policy);
        QFETCH(bool, expect);
        QFETCH(bool, retry);
        QFETCH(int, finalStatus);
        QFETCH(QList<int>, interims);
        QFETCH(bool, blocked);
        QFETCH(bool, tls);

        const Session session = recordedSession(policy, expect, retry, 4096, tls);
        const QJsonObject har = sessionToHar(session);
        const QString problem = HarChecker().check(har);
        QVERIFY2(problem.isEmpty(), qPrintable(problem));

        const QJsonArray entries =
            har.value(QStringLiteral("log")).toObject().value(QStringLiteral("entries")).toArray();
        QCOMPARE(entries.size(), 1);
        const QJsonObject e = entries.at(0).toObject();
        const QJsonObject request = e.value(QStringLiteral("request")).toObject();
        const QJsonObject response = e.value(QStringLiteral("response")).toObject();
        QCOMPARE(request.value(QStringLiteral("method")).toString(), QStringLiteral("POST"));
        QCOMPARE(request.value(QStringLiteral("bodySize")).toInt(), 4096);
        QCOMPARE(request.value(QStringLiteral("cookies")).toArray().size(), 2);
        QCOMPARE(request.value(QStringLiteral("queryString"))
                     .toArray()
                     .at(1)
                     .toObject()
                     .value(QStringLiteral("value"))
                     .toString(),
                 QStringLiteral("two words"));
        QVERIFY(request.value(QStringLiteral("headersSize")).toInt() > 50);
        QCOMPARE(response.value(QStringLiteral("status")).toInt(), finalStatus);
        if (finalStatus) {
            QCOMPARE(response.value(QStringLiteral("content")).toObject().value(QStringLiteral("mimeType")).toString(),
                     QStringLiteral("application/json"));
            QVERIFY(response.value(QStringLiteral("content")).toObject().value(QStringLiteral("size")).toInt() > 0);
        } else {
            QVERIFY(!response.value(QStringLiteral("_error")).toString().isEmpty());
        }
        const QJsonArray interimList = response.value(QStringLiteral("_interim")).toArray();
        QList<int> statuses;
        for (const QJsonValue &v : interimList) {
            statuses << v.toObject().value(QStringLiteral("status")).toInt();
            const double t = v.toObject().value(QStringLiteral("time")).toDouble(-1);
            QVERIFY(t >= 0);
            QVERIFY(t <= e.value(QStringLiteral("time")).toDouble() + 0.01);
            QCOMPARE(v.toObject().value(QStringLiteral("statusText")).toString(), QStringLiteral("Continue"));
        }
        QCOMPARE(statuses, interims);
        const QJsonObject timings = e.value(QStringLiteral("timings")).toObject();
        QCOMPARE(timings.value(QStringLiteral("blocked")).toDouble() > 0, blocked);
        QVERIFY(timings.value(QStringLiteral("connect")).toDouble() >= 0);
        // HAR 1.2: ssl is the handshake and connect includes it; over plain HTTP it is -1.
        const double ssl = timings.value(QStringLiteral("ssl")).toDouble();
        if (tls) {
            QVERIFY2(ssl > 0 && ssl <= timings.value(QStringLiteral("connect")).toDouble(),
                     QJsonDocument(timings).toJson().constData());
            const QJsonObject facts = e.value(QStringLiteral("_tls")).toObject();
            QVERIFY(facts.value(QStringLiteral("protocol")).toString().startsWith(QLatin1String("TLSv1.")));
            QCOMPARE(facts.value(QStringLiteral("alpn")).toString(), QStringLiteral("http/1.1"));
            QCOMPARE(facts.value(QStringLiteral("peer")).toObject().value(QStringLiteral("subject")).toString(),
                     QStringLiteral("CN=ExpectLab local test server"));
            QVERIFY(request.value(QStringLiteral("url")).toString().startsWith(QLatin1String("https://")));
        } else {
            QCOMPARE(ssl, -1.0);
            QVERIFY(!e.contains(QStringLiteral("_tls")));
        }
        QCOMPARE(e.value(QStringLiteral("_expectlab")).toObject().value(QStringLiteral("retried")).toBool(),
                 session.exchanges.first().retried);
    }

    void importRoundTrip_data()
    {
        QTest::addColumn<QString>("policy");
        QTest::addColumn<bool>("retry");
        QTest::addColumn<bool>("tls");
        QTest::newRow("continue") << QStringLiteral("continue") << true << false;
        QTest::newRow("reject, retry") << QStringLiteral("reject") << true << false;
        QTest::newRow("final:413") << QStringLiteral("final:413") << false << false;
        QTest::newRow("close") << QStringLiteral("close") << true << false;
        QTest::newRow("continue over https") << QStringLiteral("continue") << true << true;
    }

    void importRoundTrip()
    {
        QFETCH(QString, policy);
        QFETCH(bool, retry);
        QFETCH(bool, tls);
        const Session session = recordedSession(policy, true, retry, 2000, tls);
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("x.har"));
        QString error;
        QVERIFY2(saveHar(session, path, &error), qPrintable(error));
        const auto imported = loadHar(path, &error);
        QVERIFY2(imported, qPrintable(error));
        QCOMPARE(imported->exchanges.size(), 1);
        const ExchangeSummary &a = session.exchanges.first();
        const ExchangeSummary &b = imported->exchanges.first();
        QCOMPARE(b.id, a.id);
        QCOMPARE(b.url, a.url);
        QCOMPARE(b.method, a.method);
        QCOMPARE(b.requestHeaders, a.requestHeaders);
        QCOMPARE(b.bodyBytes, a.bodyBytes);
        QCOMPARE(b.finalStatus, a.finalStatus);
        QCOMPARE(b.finalHead.reason, a.finalHead.reason);
        QCOMPARE(b.finalHead.headers, a.finalHead.headers);
        QCOMPARE(b.interimStatuses(), a.interimStatuses());
        QCOMPARE(b.interimHeads.size(), a.interimHeads.size());
        QCOMPARE(b.responseBodyPreview, a.responseBodyPreview);
        QCOMPARE(b.responseBodyBytes, a.responseBodyBytes);
        QCOMPARE(b.expectSent, a.expectSent);
        QCOMPARE(b.retried, a.retried);
        QCOMPARE(b.bodyBytesSent, a.bodyBytesSent);
        QCOMPARE(b.bytesSaved, a.bytesSaved);
        QCOMPARE(b.error, a.error);
        QCOMPARE(b.expectWaitNs.has_value(), a.expectWaitNs.has_value());
        if (a.expectWaitNs)
            QVERIFY(qAbs(*b.expectWaitNs - *a.expectWaitNs) <= 1000); // microsecond precision
        QVERIFY(qAbs(b.durationNs() - a.durationNs()) <= 1000);
        // Interim events keep their place on the time axis.
        QList<qint64> ta, tb;
        for (const TimelineEvent &e : a.events)
            if (e.kind == EventKind::Interim)
                ta << (e.tNs - a.startNs) / 1000;
        for (const TimelineEvent &e : b.events)
            if (e.kind == EventKind::Interim)
                tb << (e.tNs - b.startNs) / 1000;
        QCOMPARE(tb, ta);

        // The handshake: its facts from _tls, its phase from timings.ssl, before the head leaves.
        QCOMPARE(bool(b.tls), tls);
        if (tls) {
            QCOMPARE(b.tls->protocol, a.tls->protocol);
            QCOMPARE(b.tls->cipher, a.tls->cipher);
            QCOMPARE(b.tls->peerSha256, a.tls->peerSha256);
            QCOMPARE(b.tls->peerNotAfter, a.tls->peerNotAfter);
            auto at = [&b](EventKind kind) {
                for (const TimelineEvent &e : b.events)
                    if (e.kind == kind)
                        return e.tNs;
                return qint64(-1);
            };
            QVERIFY(at(EventKind::Connected) <= at(EventKind::TlsStart));
            QVERIFY(at(EventKind::TlsStart) < at(EventKind::TlsDone));
            QVERIFY(at(EventKind::TlsDone) <= at(EventKind::HeadSent));
        }
    }

    void importBrowserHar()
    {
        // As Chrome writes it: no _expectlab, microsecond dates, -1 timings.
        const QByteArray har = json(
            "{'log':{'version':'1.2','creator':{'name':'WebInspector','version':'537.36'},"
            "'pages':[],'entries':[{'startedDateTime':'2026-01-02T03:04:05.678Z','time':12.5,"
            "'request':{'method':'PUT','url':'http://example.test/a?b=c','httpVersion':'HTTP/1.1',"
            "'headers':[{'name':'Expect','value':'100-continue'},{'name':'Content-Type','value':'text/plain'}],"
            "'queryString':[{'name':'b','value':'c'}],'cookies':[],'headersSize':-1,'bodySize':5,"
            "'postData':{'mimeType':'text/plain','text':'hello'}},"
            "'response':{'status':201,'statusText':'Created','httpVersion':'http/1.1',"
            "'headers':[{'name':'X','value':'y'}],'cookies':[],'content':{'size':2,'mimeType':'text/"
            "plain','text':'ok'},"
            "'redirectURL':'','headersSize':-1,'bodySize':2,"
            "'_interim':[{'status':100,'statusText':'Continue','time':3.25}]},"
            "'cache':{},'timings':{'blocked':0.5,'dns':-1,'ssl':-1,'connect':1,'send':1,'wait':9,'receive':1}}]}}");
        QString error;
        const auto s = sessionFromHar(QJsonDocument::fromJson(har).object(), &error);
        QVERIFY2(s, qPrintable(error));
        QCOMPARE(s->exchanges.size(), 1);
        const ExchangeSummary &x = s->exchanges.first();
        QCOMPARE(x.method, QByteArray("PUT"));
        QCOMPARE(x.finalStatus, std::optional<int>(201));
        QCOMPARE(x.interimStatuses(), QList<int>{100});
        QCOMPARE(x.responseBodyPreview, QByteArray("ok"));
        QVERIFY(x.expectSent);
        QCOMPARE(x.bodyBytes, 5);
        QCOMPARE(x.durationNs(), 12'500'000);
        QCOMPARE(s->originUtc, QDateTime(QDate(2026, 1, 2), QTime(3, 4, 5, 678), Qt::UTC));
        // The interim event sits 3.25 ms after the start, the final at blocked+connect+send+wait.
        bool sawInterim = false;
        for (const TimelineEvent &e : x.events) {
            if (e.kind == EventKind::Interim) {
                QCOMPARE(e.tNs - x.startNs, 3'250'000);
                sawInterim = true;
            }
            if (e.kind == EventKind::Final)
                QCOMPARE(e.tNs - x.startNs, 11'500'000);
        }
        QVERIFY(sawInterim);
    }

    void importRefused_data()
    {
        QTest::addColumn<QByteArray>("har");
        QTest::addColumn<QString>("message");
        QTest::newRow("no log") << QByteArray("{}") << QStringLiteral("no \"log\" object");
        QTest::newRow("entries not array")
            << json("{'log':{'entries':{}}}") << QStringLiteral("log.entries is not an array");
        QTest::newRow("no date") << json("{'log':{'entries':[{'request':{'url':'http://a/'},'response':{}}]}}")
                                 << QStringLiteral("log.entries[0].startedDateTime");
        QTest::newRow("no url")
            << json("{'log':{'entries':[{'startedDateTime':'2026-01-02T03:04:05Z','request':{},'response':{}}]}}")
            << QStringLiteral("log.entries[0].request.url");
    }

    void importRefused()
    {
        QFETCH(QByteArray, har);
        QFETCH(QString, message);
        QString error;
        QVERIFY(!sessionFromHar(QJsonDocument::fromJson(har).object(), &error));
        QVERIFY2(error.contains(message), qPrintable(error));
    }

    void eventsCsv()
    {
        const Session session = recordedSession(QStringLiteral("continue"), true, true, 1000);
        const QString csv = sessionEventsToCsv(session);
        QStringList lines = csv.split(QStringLiteral("\r\n"), Qt::SkipEmptyParts);
        QCOMPARE(lines.first(), QStringLiteral("t_ms,side,conn,kind,status,bytes,detail,rule,exchange,t_exchange_ms"));
        lines.removeFirst();
        QCOMPARE(lines.size(), session.exchanges.first().events.size() + session.serverEvents.size());
        double last = -1;
        bool sawServerHead = false;
        for (const QString &line : lines) {
            const double t = line.section(QLatin1Char(','), 0, 0).toDouble();
            QVERIFY2(t >= last, qPrintable(line)); // time order across both sides
            last = t;
            if (line.section(QLatin1Char(','), 1, 1) == QLatin1String("server") &&
                line.section(QLatin1Char(','), 3, 3) == QLatin1String("head")) {
                sawServerHead = true;
                // The server's events carry their exchange and the time since it began (case 20).
                QCOMPARE(line.section(QLatin1Char(','), -2, -2), QStringLiteral("1"));
                const double sinceExchange = line.section(QLatin1Char(','), -1, -1).toDouble();
                const double expected =
                    double((session.serverEvents.first().tNs - session.exchanges.first().startNs) / 1000) / 1000.0;
                QVERIFY(sinceExchange > 0 && sinceExchange >= expected);
            }
        }
        QVERIFY(sawServerHead);
        QVERIFY(lines.first().startsWith(QStringLiteral("0.000,client,1,connect,,,")));

        // Quoting as RFC 4180 wants it.
        TimelineEvent e;
        e.kind = EventKind::Error;
        e.detail = QStringLiteral("a \"quoted\", text\nnext line");
        const QString one = eventsToCsv({e}, 0);
        QVERIFY2(one.endsWith(QStringLiteral(",\"a \"\"quoted\"\", text\nnext line\",,,\r\n")), qPrintable(one));

        QTemporaryDir dir;
        QString error;
        QVERIFY(saveEventsCsv(session, dir.filePath(QStringLiteral("e.csv")), &error));
        QVERIFY(!saveEventsCsv(session, QStringLiteral("/nonexistent/e.csv"), &error));
        QVERIFY(error.contains(QStringLiteral("cannot write")));
    }
};

QTEST_GUILESS_MAIN(TestHarExport)
#include "tst_harexport.moc"
