// The server's decision on a request head, as a table: policy x head -> action and status.
#include "httpparser.h"
#include "policyresponder.h"
#include "serverpolicy.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>

#include <QTest>

using namespace expectlab;

Q_DECLARE_METATYPE(HeadDecision::Action)

namespace {
class HeadCatcher : public HttpParser::Sink
{
public:
    MessageHead head;
    HttpParser::HeadAction onHead(const MessageHead &h) override
    {
        head = h;
        return HttpParser::HeadAction::Pause;
    }
    void onBody(QByteArrayView) override {}
    void onMessageComplete() override {}
};

MessageHead parseHead(const QByteArray &text)
{
    HeadCatcher catcher;
    HttpParser parser(HttpParser::Kind::Request, &catcher);
    parser.feed(text);
    return catcher.head;
}
} // namespace

class TestServerPolicy : public QObject
{
    Q_OBJECT
private slots:
    void parse_data();
    void parse();
    void decide_data();
    void decide();
    void responderAfterBody_data();
    void responderAfterBody();
    void responderContent();
    void kindsNameEveryPolicy();
};

void TestServerPolicy::parse_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("valid");
    QTest::addColumn<QString>("canonical");
    QTest::newRow("continue") << "continue" << true << "continue";
    QTest::newRow("case and blanks") << " Continue " << true << "continue";
    QTest::newRow("delay") << "delay:300" << true << "delay:300";
    QTest::newRow("delay zero") << "delay:0" << true << "delay:0";
    QTest::newRow("ignore") << "ignore" << true << "ignore";
    QTest::newRow("reject") << "reject" << true << "reject";
    QTest::newRow("final") << "final:413" << true << "final:413";
    QTest::newRow("close") << "close" << true << "close";
    QTest::newRow("delay without ms") << "delay" << false << "";
    QTest::newRow("delay negative") << "delay:-5" << false << "";
    QTest::newRow("delay text") << "delay:soon" << false << "";
    QTest::newRow("final 1xx") << "final:100" << false << "";
    QTest::newRow("final 600") << "final:600" << false << "";
    QTest::newRow("final without code") << "final" << false << "";
    QTest::newRow("argument where none belongs") << "reject:1" << false << "";
    QTest::newRow("unknown") << "teapot" << false << "";
    QTest::newRow("empty") << "" << false << "";
}

void TestServerPolicy::parse()
{
    QFETCH(QString, text);
    QFETCH(bool, valid);
    QFETCH(QString, canonical);
    QString error;
    const auto policy = ServerPolicy::parse(text, &error);
    QCOMPARE(policy.has_value(), valid);
    if (valid) {
        QCOMPARE(policy->toString(), canonical);
        QVERIFY(!policy->describe().isEmpty());
        QCOMPARE(ServerPolicy::parse(policy->toString()), policy);
    } else {
        QVERIFY(!error.isEmpty());
    }
}

void TestServerPolicy::decide_data()
{
    using A = HeadDecision::Action;
    QTest::addColumn<QString>("policy");
    QTest::addColumn<QByteArray>("head");
    QTest::addColumn<HeadDecision::Action>("action");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("rule");

    const QByteArray expect = "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n";
    const QByteArray plain = "POST /u HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n";
    const QByteArray upper = "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 10\r\n\r\n";
    const QByteArray shout = "POST /u HTTP/1.1\r\nHost: h\r\nEXPECT: 100-CONTINUE\r\nContent-Length: 10\r\n\r\n";
    const QByteArray unknown = "POST /u HTTP/1.1\r\nHost: h\r\nExpect: x-unknown\r\nContent-Length: 10\r\n\r\n";
    const QByteArray params = "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue;a=b\r\nContent-Length: 10\r\n\r\n";
    const QByteArray http10 = "POST /u HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 10\r\n\r\n";
    const QByteArray nobody = "GET /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\n\r\n";
    const QByteArray zero = "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 0\r\n\r\n";
    const QByteArray chunked =
        "POST /u HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n";

    QTest::newRow("continue + expect") << "continue" << expect << A::SendContinueNow << 100 << "R11";
    QTest::newRow("continue + 100-Continue") << "continue" << upper << A::SendContinueNow << 100 << "R11";
    QTest::newRow("continue + EXPECT: 100-CONTINUE") << "continue" << shout << A::SendContinueNow << 100 << "R11";
    QTest::newRow("continue + chunked") << "continue" << chunked << A::SendContinueNow << 100 << "R11";
    QTest::newRow("continue + no expect") << "continue" << plain << A::ReadBody << 0 << "";
    QTest::newRow("continue + unknown expectation") << "continue" << unknown << A::RejectExpectation << 417 << "R1";
    QTest::newRow("continue + parameters") << "continue" << params << A::RejectExpectation << 417 << "R1";
    QTest::newRow("continue + HTTP/1.0") << "continue" << http10 << A::ReadBody << 0 << "R7";
    QTest::newRow("continue + no body") << "continue" << nobody << A::ReadBody << 0 << "R8";
    QTest::newRow("continue + Content-Length 0") << "continue" << zero << A::ReadBody << 0 << "R8";
    QTest::newRow("delay + expect") << "delay:250" << expect << A::SendContinueLater << 100 << "R12";
    QTest::newRow("delay + HTTP/1.0") << "delay:250" << http10 << A::ReadBody << 0 << "R7";
    QTest::newRow("delay + unknown") << "delay:250" << unknown << A::RejectExpectation << 417 << "R1";
    QTest::newRow("ignore + expect") << "ignore" << expect << A::ReadBody << 0 << "R11";
    QTest::newRow("ignore + unknown") << "ignore" << unknown << A::RejectExpectation << 417 << "R1";
    QTest::newRow("reject + expect") << "reject" << expect << A::RejectExpectation << 417 << "R11";
    QTest::newRow("reject + 100-Continue") << "reject" << upper << A::RejectExpectation << 417 << "R11";
    QTest::newRow("reject + no expect") << "reject" << plain << A::ReadBody << 0 << "";
    QTest::newRow("reject + HTTP/1.0") << "reject" << http10 << A::ReadBody << 0 << "R7";
    QTest::newRow("final + expect") << "final:413" << expect << A::FinalNow << 413 << "R11";
    QTest::newRow("final + no expect") << "final:401" << plain << A::FinalNow << 401 << "R11";
    QTest::newRow("final + unknown") << "final:405" << unknown << A::RejectExpectation << 417 << "R1";
    QTest::newRow("close + expect") << "close" << expect << A::CloseNow << 0 << "";
    QTest::newRow("close + no expect") << "close" << plain << A::CloseNow << 0 << "";
    QTest::newRow("close + unknown") << "close" << unknown << A::RejectExpectation << 417 << "R1";
}

void TestServerPolicy::decide()
{
    QFETCH(QString, policy);
    QFETCH(QByteArray, head);
    QFETCH(HeadDecision::Action, action);
    QFETCH(int, status);
    QFETCH(QString, rule);
    const auto p = ServerPolicy::parse(policy);
    QVERIFY(p);
    const MessageHead request = parseHead(head);
    QVERIFY(!request.method.isEmpty());
    const HeadDecision d = decideOnHead(*p, request);
    QCOMPARE(actionName(d.action), actionName(action));
    QCOMPARE(d.status, status);
    QCOMPARE(d.rule, rule);
    QVERIFY(!d.why.isEmpty());
    if (action == HeadDecision::Action::SendContinueLater)
        QCOMPARE(d.delayMs, p->delayMs);
}

// Issue 13: the policy's decisions and the response content live in PolicyResponder; the protocol
// core only asks it.
void TestServerPolicy::responderAfterBody_data()
{
    QTest::addColumn<QString>("policy");
    QTest::addColumn<bool>("http10");
    QTest::addColumn<int>("action");
    QTest::addColumn<int>("status");
    using A = PolicyResponder::AfterBody::Action;
    QTest::newRow("continue") << "continue" << false << int(A::Answer) << 200;
    QTest::newRow("delay") << "delay:50" << false << int(A::Answer) << 200;
    QTest::newRow("silent") << "silent" << false << int(A::Silent) << 0;
    QTest::newRow("continue-after-body") << "continue-after-body" << false << int(A::InterimFirst) << 100;
    QTest::newRow("continue-after-body, HTTP/1.0 (R15)") << "continue-after-body" << true << int(A::Answer) << 200;
    QTest::newRow("interim:102") << "interim:102" << false << int(A::InterimFirst) << 102;
    QTest::newRow("interim:103, HTTP/1.0 (R15)") << "interim:103" << true << int(A::Answer) << 200;
    QTest::newRow("reject-after-body") << "reject-after-body" << false << int(A::RejectLate) << 417;
    QTest::newRow("reject-after-body, HTTP/1.0") << "reject-after-body" << true << int(A::RejectLate) << 417;
}

void TestServerPolicy::responderAfterBody()
{
    QFETCH(QString, policy);
    QFETCH(bool, http10);
    const PolicyResponder responder(*ServerPolicy::parse(policy));
    const PolicyResponder::AfterBody after = responder.afterBody(http10);
    QTEST(int(after.action), "action");
    QTEST(after.status, "status");
    QCOMPARE(responder.continueTwice(), policy == QLatin1String("continue-twice"));
}

void TestServerPolicy::responderContent()
{
    MessageHead request;
    request.method = "PUT";
    request.target = "/up";
    request.headers = {{"Expect", "100-continue"}};
    const QJsonObject reject = QJsonDocument::fromJson(PolicyResponder::rejectBody(request)).object();
    QCOMPARE(reject.value(QStringLiteral("error")).toString(), QStringLiteral("expectation_failed"));
    QCOMPARE(reject.value(QStringLiteral("expect")).toString(), QStringLiteral("100-continue"));
    const QJsonObject echo =
        QJsonDocument::fromJson(PolicyResponder::echoBody(request, {42, true, false, 3, 2})).object();
    QCOMPARE(echo.value(QStringLiteral("received_bytes")).toInt(), 42);
    QCOMPARE(echo.value(QStringLiteral("body_before_interim")).toBool(), true);
    QCOMPARE(echo.value(QStringLiteral("method")).toString(), QStringLiteral("PUT"));
    QCOMPARE(echo.value(QStringLiteral("connection")).toInt(), 3);
    QCOMPARE(echo.value(QStringLiteral("request")).toInt(), 2);
    QCOMPARE(QJsonDocument::fromJson(PolicyResponder::earlyFinalBody(413, QStringLiteral("too big")))
                 .object()
                 .value(QStringLiteral("status"))
                 .toInt(),
             413);
    QVERIFY(headerValue(PolicyResponder::applicationFinalFields(), "Server").has_value());
    QVERIFY(headerValue(PolicyResponder::applicationInterimFields(103), "Link").has_value());
    QVERIFY(PolicyResponder::applicationInterimFields(100).isEmpty());
}

void TestServerPolicy::kindsNameEveryPolicy()
{
    // One list for help texts, the panel and the menu: every kind once, each name parses back.
    const QList<ServerPolicy::Kind> kinds = ServerPolicy::kinds();
    QCOMPARE(QSet<ServerPolicy::Kind>(kinds.cbegin(), kinds.cend()).size(), kinds.size());
    QCOMPARE(ServerPolicy::names().size(), kinds.size());
    QCOMPARE(ServerPolicy::names(false).size() + ServerPolicy::names(true).size(), kinds.size());
    for (const ServerPolicy::Kind kind : kinds) {
        const QString name = ServerPolicy::name(kind);
        const QString concrete =
            QString(name)
                .replace(QLatin1String(":MS"), QLatin1String(":5"))
                .replace(QLatin1String(":CODE"),
                         kind == ServerPolicy::Kind::Final ? QLatin1String(":413") : QLatin1String(":103"));
        const auto parsed = ServerPolicy::parse(concrete);
        QVERIFY2(parsed, qPrintable(concrete));
        QCOMPARE(parsed->kind, kind);
        QCOMPARE(ServerPolicy::isMisbehaviour(kind), ServerPolicy::names(true).contains(name));
    }
}

QTEST_GUILESS_MAIN(TestServerPolicy)
#include "tst_serverpolicy.moc"
