// The workbench's rows to a session and back: what File > Save and File > Open go through.

#include "exchangelistmodel.h"
#include "sessionfile.h"
#include "sessionrecords.h"
#include "sessionsupport.h"
#include "workbenchsession.h"

#include <QTest>

using namespace expectlab;

class TestSessionRecords : public QObject
{
    Q_OBJECT

private slots:
    void liveWorkbenchSavedAndReopened()
    {
        TestServer server;
        server.setPolicy(*ServerPolicy::parse(QStringLiteral("reject")));
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        WorkbenchSession workbench;
        workbench.attachServer(&server);
        QSignalSpy finished(&workbench, &WorkbenchSession::exchangeFinished);

        ClientRequest request;
        request.url = QUrl(server.url() + QStringLiteral("a"));
        request.body.kind = BodySpec::Kind::Generated;
        request.body.generatedSize = 3000;
        const int number = workbench.send(request);
        QVERIFY(finished.wait(10000));

        // An external client on the same server: a raw socket sending one request.
        QTcpSocket external;
        external.connectToHost(QHostAddress::LocalHost, server.port());
        QVERIFY(external.waitForConnected(5000));
        external.write("GET /ext HTTP/1.1\r\nHost: x\r\nUser-Agent: probe/1\r\nConnection: close\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(external.state() == QAbstractSocket::UnconnectedState || external.bytesAvailable() > 0,
                                 5000);
        QTRY_VERIFY_WITH_TIMEOUT((workbench.flush(), workbench.model()->rowCount() == 2), 5000);
        // Wait until every server connection has ended and carries its wire log.
        QTRY_VERIFY_WITH_TIMEOUT(([&workbench] {
                                     workbench.flush();
                                     for (int row = 0; row < workbench.model()->rowCount(); ++row) {
                                         const ExchangeRecord &r = workbench.model()->recordAt(row);
                                         if (r.running || r.serverConnections.isEmpty())
                                             return false;
                                         for (int id : r.serverConnections) {
                                             const ServerConnectionRecord *c = workbench.serverConnection(id);
                                             if (!c || !c->finished)
                                                 return false;
                                         }
                                     }
                                     return true;
                                 }()),
                                 5000);

        const Session session = sessionFromWorkbench(workbench);
        QCOMPARE(session.exchanges.size(), 1); // the external row is rebuilt from its connection
        QCOMPARE(session.exchanges.first().id, number);
        QVERIFY(session.exchanges.first().retried);
        QCOMPARE(session.serverConnections.size(), 3); // 417, the retry, the external client
        int linked = 0;
        for (const SessionServerConnection &c : session.serverConnections) {
            linked += c.exchangeId == number;
            QVERIFY(!c.wire.records().isEmpty());
        }
        QCOMPARE(linked, 2);

        QString error;
        const auto reopened = sessionFromBytes(sessionToBytes(session), &error);
        QVERIFY2(reopened, qPrintable(error));
        const WorkbenchRows rows = rowsFromSession(*reopened);
        QCOMPARE(rows.records.size(), 2);
        QCOMPARE(rows.connections.size(), 3);
        const ExchangeRecord &mine = rows.records.at(0);
        QCOMPARE(mine.number, number);
        QVERIFY(!mine.isExternal());
        QCOMPARE(mine.serverConnections.size(), 2);
        QCOMPARE(mine.outcome, workbench.model()->recordAt(0).outcome);
        QCOMPARE(mine.summary.outcomeText(), workbench.model()->recordAt(0).summary.outcomeText());
        const ExchangeRecord &theirs = rows.records.at(1);
        QVERIFY(theirs.isExternal());
        QCOMPARE(theirs.summary.method, QByteArray("GET"));
        QCOMPARE(theirs.summary.url.path(), QStringLiteral("/ext"));
        // Its peer and User-Agent come back with it, as the live row had them (issue 14).
        QCOMPARE(theirs.peerAddress, workbench.model()->recordAt(1).peerAddress);
        QCOMPARE(theirs.peerPort, workbench.model()->recordAt(1).peerPort);
        QVERIFY(theirs.peerPort != 0);
        QCOMPARE(theirs.userAgent, QStringLiteral("probe/1"));
        QCOMPARE(theirs.summary.finalStatus, std::optional<int>(200));
        QCOMPARE(rows.connections.value(theirs.serverConnections.first()).exchangeNumber, theirs.number);
        QVERIFY(!rows.connections.value(theirs.serverConnections.first()).events.isEmpty());
    }

    void runningRowsAreLeftOut()
    {
        ExchangeRecord running;
        running.number = 1;
        running.running = true;
        ExchangeRecord done;
        done.number = 2;
        done.running = false;
        done.summary.id = 99; // the row's number wins
        done.summary.endNs = 5;
        const Session s = sessionFromRecords({running, done}, {});
        QCOMPARE(s.exchanges.size(), 1);
        QCOMPARE(s.exchanges.first().id, 2);
    }
};

QTEST_GUILESS_MAIN(TestSessionRecords)
#include "tst_sessionrecords.moc"
