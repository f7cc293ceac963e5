// The adapter's half of an upload: the feeder reads the body and pushes it into the exchange, which
// reads no body itself. Failures of the source (a read, a rewind for the retry) end the exchange
// with their own error kind.
#include "bodyfeeder.h"

#include <QTest>

using namespace expectlab;

namespace {
constexpr qint64 kMs = 1'000'000;

// A body of `size` bytes that fails after `failAfter` of them, and whose rewind can fail.
class FlakySource : public BodySource
{
public:
    FlakySource(qint64 size, qint64 failAfter, bool rewindFails)
        : m_size(size)
        , m_failAfter(failAfter)
        , m_rewindFails(rewindFails)
    {}
    qint64 size() const override { return m_size; }
    QByteArray read(qint64 maxBytes) override
    {
        const qint64 n = qMin(maxBytes, qMin(m_size, m_failAfter) - m_pos);
        if (n <= 0)
            return {};
        m_pos += n;
        ++reads;
        return QByteArray(n, 'x');
    }
    bool rewind(QString *error) override
    {
        ++rewinds;
        if (m_rewindFails) {
            *error = QStringLiteral("the file is gone");
            return false;
        }
        m_pos = 0;
        return true;
    }
    QString errorString() const override { return QStringLiteral("I/O error"); }
    int reads = 0;
    int rewinds = 0;

private:
    qint64 m_size, m_failAfter, m_pos = 0;
    bool m_rewindFails;
};

struct Run
{
    Run(qint64 size, qint64 failAfter, bool rewindFails, bool expect)
    {
        ClientRequest request;
        request.url = QUrl(QStringLiteral("http://127.0.0.1:9/up"));
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = size;
        request.expect = expect ? ClientRequest::ExpectMode::On : ClientRequest::ExpectMode::Off;
        request.retryWithoutExpect = true;
        exchange = std::make_unique<ClientExchange>(1, request, size);
        auto src = std::make_unique<FlakySource>(size, failAfter, rewindFails);
        source = src.get();
        feeder = std::make_unique<BodyFeeder>(*exchange, std::move(src));
        feeder->startAttempt(0);
        exchange->connected(0, {});
    }
    QByteArray flush(qint64 budget = 1000)
    {
        QByteArray out;
        for (int guard = 0; guard < 1000 && feeder->wantsToSend(); ++guard) {
            const QByteArray piece = feeder->nextOutgoing(budget, now);
            if (piece.isEmpty())
                break;
            exchange->sent(piece.size(), now);
            out += piece;
        }
        return out;
    }
    QList<EventKind> kinds() const
    {
        QList<EventKind> out;
        for (const TimelineEvent &e : exchange->summary().events)
            out << e.kind;
        return out;
    }
    std::unique_ptr<ClientExchange> exchange;
    std::unique_ptr<BodyFeeder> feeder;
    FlakySource *source = nullptr;
    qint64 now = 0;
};
} // namespace

class TestBodyFeeder : public QObject
{
    Q_OBJECT
private slots:
    void pushesTheBodyInSlicesOfTheBudget();
    void aReadFailureEndsTheExchange();
    void theRetrySendsTheBodyFromItsStart();
    void aRewindFailureEndsTheExchangeBeforeTheRetry();
};

void TestBodyFeeder::pushesTheBodyInSlicesOfTheBudget()
{
    Run r(2500, 1 << 30, false, false);
    const QByteArray out = r.flush(1000);
    QVERIFY(out.endsWith(QByteArray(2500, 'x')));
    QCOMPARE(r.source->reads, 3); // 1000 + 1000 + 500: never more than the budget, never past the end
    QCOMPARE(r.exchange->bodySentThisAttempt(), 2500);
    QVERIFY(r.kinds().contains(EventKind::BodyDone));
}

void TestBodyFeeder::aReadFailureEndsTheExchange()
{
    Run r(2500, 1200, false, false);
    r.flush(1000);
    QVERIFY(r.exchange->wantsClose());
    r.exchange->transportClosed(r.now);
    QVERIFY(r.exchange->isFinished());
    QCOMPARE(r.exchange->summary().errorKind, ErrorKind::BodyReadFailed);
    QVERIFY(r.exchange->summary().error.contains(QLatin1String("1200")));
    QVERIFY(!r.kinds().contains(EventKind::BodyDone));
}

void TestBodyFeeder::theRetrySendsTheBodyFromItsStart()
{
    Run r(300, 1 << 30, false, true);
    r.flush();
    r.exchange->receive("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n", r.now);
    r.exchange->transportClosed(r.now);
    QVERIFY(r.exchange->wantsReconnect());
    r.feeder->startAttempt(r.now);
    r.exchange->connected(r.now, {});
    const QByteArray out = r.flush();
    QCOMPARE(r.source->rewinds, 1);
    QVERIFY(!out.contains("Expect:"));
    QVERIFY(out.endsWith(QByteArray(300, 'x')));
}

void TestBodyFeeder::aRewindFailureEndsTheExchangeBeforeTheRetry()
{
    Run r(300, 1 << 30, true, true);
    r.flush();
    r.exchange->receive("HTTP/1.1 417 Expectation Failed\r\nContent-Length: 0\r\n\r\n", r.now);
    r.exchange->transportClosed(r.now);
    r.now = 5 * kMs;
    r.feeder->startAttempt(r.now);
    QVERIFY(r.exchange->isFinished());
    QCOMPARE(r.exchange->summary().errorKind, ErrorKind::BodyReadFailed);
    QCOMPARE(r.exchange->summary().error, QStringLiteral("the file is gone"));
    QCOMPARE(r.exchange->summary().wireLogs.size(), 1); // no second connection
    QVERIFY(!r.kinds().contains(EventKind::Retry));     // nothing is repeated
}

QTEST_GUILESS_MAIN(TestBodyFeeder)
#include "tst_bodyfeeder.moc"
