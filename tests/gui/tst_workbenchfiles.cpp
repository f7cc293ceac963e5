// The workbench window's files, clipboard and tools: sessions saved and opened, autosave restore,
// HAR/CSV/plot exports, curl copy and paste, the probe tab, and the client profile per exchange.
// Offscreen, against the window's own local server; dialogs go through the window's seams.
#include "guitesthelpers.h"

#include "autosave.h"
#include "composerpanel.h"
#include "exchangedetail.h"
#include "exchangelistmodel.h"
#include "mainwindow.h"
#include "matrixgridmodel.h"
#include "matrixrunner.h"
#include "matrixwidget.h"
#include "overviewplot.h"
#include "proberesultsmodel.h"
#include "probewidget.h"
#include "recentfiles.h"
#include "serverhost.h"
#include "serverpanel.h"
#include "sessionfile.h"
#include "testserver.h"
#include "timelineview.h"
#include "workbenchsession.h"

#include <qcustomplot.h>

#include <QAbstractItemModelTester>
#include <QAction>
#include <QCheckBox>
#include <QClipboard>
#include <QComboBox>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QMenu>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QStatusBar>
#include <QTabWidget>
#include <QTcpSocket>
#include <QtTest>

using namespace expectlab;

class TestWorkbenchFiles : public QObject
{
    Q_OBJECT
private slots:
    void initTestCase();
    void init();
    void cleanup();

    void loadRowsNumbersAfterLoaded();
    void loadWhileRunningKeepsNumbersApart();
    void saveThenOpenRoundTrips();
    void recentFilesReopen();
    void clearDropsFinishedConnections();
    void menuActionsAskForFiles();
    void unsavedWorkIsKept();
    void serverPolicyIsSavedAndRestored();
    void harHasOutsideClients();
    void brokenFileChangesNothing_data();
    void brokenFileChangesNothing();
    void exportsWriteFiles_data();
    void exportsWriteFiles();
    void harExportImportRoundTrips();
    void copyAsCurlThenPaste_data();
    void copyAsCurlThenPaste();
    void pasteBadCurlShowsError();
    void copySelectedExchangeAsCurl();
    void autosaveWritesToTestFolder();
    void autosaveRestoreOffered_data();
    void autosaveRestoreOffered();
    void probeTabExists();
    void matrixTabRunsSmallGrid();
    void probeAndMatrixAreSavedAndRestored();
    void matrixTabCancels();
    void matrixTabRejectsBadInput_data();
    void matrixTabRejectsBadInput();
    void profileAppearsForExchange();

private:
    void setPolicy(const QString &policy);
    int sendGenerated(qint64 bytes, bool expect);
    const ExchangeRecord *waitForFinished(int number);
    QList<std::tuple<int, int, QString>> rows() const; // number, final status, outcome

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_files;
    MainWindow *m_window = nullptr;
    QStringList m_messages;
    QStringList m_unsavedQuestions;
    MainWindow::UnsavedChoice m_unsavedChoice = MainWindow::UnsavedChoice::Discard;
};

void TestWorkbenchFiles::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(m_files.isValid());
    isolateSettings(m_settingsDir);
    // No autosave of an earlier (crashed) test run may be offered to this one.
    for (const QString &leftover : Autosave::leftovers())
        Autosave::discard(leftover);
}

void TestWorkbenchFiles::init()
{
    QSettings().clear();
    m_messages.clear();
    m_window = new MainWindow;
    m_window->setMessageShower([this](const QString &, const QString &message) { m_messages << message; });
    m_window->setUnsavedPrompt([this](const QString &question) {
        m_unsavedQuestions << question;
        return m_unsavedChoice;
    });
    m_window->setFileAsker([](bool, const QString &, const QString &, const QString &) {
        qFatal("a test opened a file dialog");
        return QString();
    });
    m_window->setQuestioner([](const QString &, const QString &) {
        qFatal("a test asked an unexpected question");
        return false;
    });
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    QTRY_VERIFY_WITH_TIMEOUT(m_window->server()->isListening(), 5000);
}

void TestWorkbenchFiles::cleanup()
{
    delete m_window;
    m_window = nullptr;
}

void TestWorkbenchFiles::setPolicy(const QString &text)
{
    const std::optional<ServerPolicy> policy = ServerPolicy::parse(text);
    QVERIFY(policy);
    m_window->serverPanel()->setPolicy(*policy);
    QTRY_COMPARE_WITH_TIMEOUT(m_window->server()->policy().kind, policy->kind, 5000);
}

int TestWorkbenchFiles::sendGenerated(qint64 bytes, bool expect)
{
    ComposerPanel *c = m_window->composer();
    c->setUrl(m_window->server()->url() + QStringLiteral("upload"));
    c->setGeneratedBody(bytes, SizeUnit::B);
    c->setExpect(expect);
    c->setExpectTimeoutMs(1000);
    c->setRetryAfter417(true);
    return m_window->send();
}

const ExchangeRecord *TestWorkbenchFiles::waitForFinished(int number)
{
    return ::waitForFinished(m_window->session(), number);
}

QList<std::tuple<int, int, QString>> TestWorkbenchFiles::rows() const
{
    QList<std::tuple<int, int, QString>> out;
    const ExchangeListModel *model = m_window->session()->model();
    for (int row = 0; row < model->rowCount(); ++row) {
        const ExchangeRecord &r = model->recordAt(row);
        out.append({r.number, r.summary.finalStatus.value_or(0), r.summary.outcomeText()});
    }
    return out;
}

void TestWorkbenchFiles::loadRowsNumbersAfterLoaded()
{
    WorkbenchSession session;
    QList<ExchangeRecord> records;
    for (int number : {3, 9}) {
        ExchangeRecord r;
        r.number = number;
        r.running = false;
        r.summary.finalStatus = 200;
        records.append(r);
    }
    records.last().serverConnections = {4};
    ServerConnectionRecord conn;
    conn.id = 4;
    conn.exchangeNumber = 9;
    QSignalSpy changed(&session, &WorkbenchSession::exchangesChanged);
    session.loadRows(records, {{4, conn}});
    QCOMPARE(session.model()->rowCount(), 2);
    // Numbered without gaps from the first (the model finds rows by number); connections follow.
    QCOMPARE(session.model()->recordAt(1).number, 4);
    QVERIFY(session.model()->recordByNumber(4));
    // Loaded connections take ids the live server never gives (it counts up from 1).
    QVERIFY(!session.serverConnection(4));
    const QList<int> loadedConns = session.model()->recordAt(1).serverConnections;
    QCOMPARE(loadedConns.size(), 1);
    QVERIFY(loadedConns.first() < 0);
    QVERIFY(session.serverConnection(loadedConns.first()));
    QCOMPARE(session.serverConnection(loadedConns.first())->exchangeNumber, 4);
    QCOMPARE(changed.count(), 1);
    // The next exchange (here one that cannot start: a URL without a host) follows the loaded ones.
    ClientRequest bad;
    bad.url = QUrl(QStringLiteral("notaurl"));
    QCOMPARE(session.send(bad), 5);
    // Loading again replaces the list.
    session.loadRows({records.first()}, {});
    QCOMPARE(session.model()->rowCount(), 1);
    QCOMPARE(session.model()->recordAt(0).number, 3);
}

void TestWorkbenchFiles::loadWhileRunningKeepsNumbersApart()
{
    // An exchange that waits (ignore: no 100, a 3 s Expect timeout) is running when a file is opened.
    setPolicy(QStringLiteral("ignore"));
    m_window->composer()->setUrl(m_window->server()->url() + QStringLiteral("slow"));
    m_window->composer()->setGeneratedBody(10, SizeUnit::B);
    m_window->composer()->setExpect(true);
    m_window->composer()->setExpectTimeoutMs(3000);
    const int running = m_window->send();
    QVERIFY(running > 0);
    QCOMPARE(m_window->session()->runningCount(), 1);
    // Until the client has seen its connection up, the server's side of it belongs to nobody: a
    // cancel then would leave it as an external client's row (noted in the session's issue note).
    const auto claimed = [&] {
        m_window->session()->flush();
        const ExchangeRecord *r = m_window->session()->model()->recordByNumber(running);
        return r && !r->serverConnections.isEmpty();
    };
    QTRY_VERIFY_WITH_TIMEOUT(claimed(), 5000);
    ExchangeRecord saved;
    saved.number = running; // the same number as the running one
    saved.running = false;
    saved.summary.finalStatus = 201;
    m_window->session()->loadRows({saved}, {});
    const int loaded = m_window->session()->model()->recordAt(0).number;
    QVERIFY(loaded > running);
    m_window->cancel();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->runningCount(), 0, 5000);
    m_window->session()->flush();
    QCOMPARE(m_window->session()->model()->rowCount(), 1);
    QCOMPARE(m_window->session()->model()->recordAt(0).summary.finalStatus.value_or(0), 201);
}

void TestWorkbenchFiles::saveThenOpenRoundTrips()
{
    setPolicy(QStringLiteral("continue"));
    QVERIFY(waitForFinished(sendGenerated(2048, true)));
    setPolicy(QStringLiteral("reject"));
    QVERIFY(waitForFinished(sendGenerated(1024, true)));
    const auto before = rows();
    QCOMPARE(before.size(), 2);
    QCOMPARE(std::get<1>(before.at(0)), 200);

    const QString path = m_files.filePath(QStringLiteral("roundtrip.expectlab.json"));
    QVERIFY(m_window->saveSessionTo(path));
    QVERIFY(QFileInfo(path).size() > 0);
    m_window->session()->clear();
    QCOMPARE(m_window->session()->model()->rowCount(), 0);

    m_window->serverPanel()->showLoadedLog({}); // as after a restart: nothing of the live log left
    QVERIFY(m_window->openSessionFrom(path));
    QCOMPARE(rows(), before);
    QVERIFY(m_messages.isEmpty());
    // Issue 14: the server's event log comes back with the session, each line under its exchange.
    const QString log = m_window->serverPanel()->logText();
    for (const auto &row : before)
        QVERIFY2(log.contains(QStringLiteral("[exchange %1, connection ").arg(std::get<0>(row))), qPrintable(log));
    QVERIFY2(log.contains(QLatin1String("accepted")), qPrintable(log));
    // The last loaded exchange is selected, and its server side came back with it.
    const int last = std::get<0>(before.last());
    QCOMPARE(m_window->selectedNumber(), last);
    // Its server connection is named by the id it had in the file, not by the internal (negative) one.
    QTRY_VERIFY2_WITH_TIMEOUT(m_window->detail()->wireText().contains(QLatin1String("of the opened file")),
                              qPrintable(m_window->detail()->wireText().left(600)), 5000);
    QVERIFY2(!m_window->detail()->wireText().contains(QLatin1String("connection -")),
             qPrintable(m_window->detail()->wireText().left(400)));
    QVERIFY(!m_window->session()->serverEvents(*m_window->session()->model()->recordByNumber(last)).isEmpty());
    // New exchanges are numbered after the loaded ones, and their server connections stay apart
    // from the loaded ones even where the live server reuses a saved connection's number.
    const int loadedServerEvents =
        int(m_window->session()->serverEvents(*m_window->session()->model()->recordByNumber(last)).size());
    setPolicy(QStringLiteral("continue"));
    const int next = sendGenerated(10, false);
    QVERIFY(next > last);
    const ExchangeRecord *fresh = waitForFinished(next);
    QVERIFY(fresh);
    QTRY_VERIFY_WITH_TIMEOUT(
        !m_window->session()->serverEvents(*m_window->session()->model()->recordByNumber(next)).isEmpty(), 5000);
    QCOMPARE(int(m_window->session()->serverEvents(*m_window->session()->model()->recordByNumber(last)).size()),
             loadedServerEvents);
    for (const TimelineEvent &e :
         m_window->session()->serverEvents(*m_window->session()->model()->recordByNumber(next)))
        QVERIFY(e.conn > 0);
    // Saved again and opened again, the session is the same.
    const auto reopened = rows();
    const QString again = m_files.filePath(QStringLiteral("again.expectlab.json"));
    QVERIFY(m_window->saveSessionTo(again));
    QVERIFY(m_window->openSessionFrom(again));
    QCOMPARE(rows(), reopened);
    QCOMPARE(int(m_window->session()->serverEvents(*m_window->session()->model()->recordByNumber(last)).size()),
             loadedServerEvents);
}

// Issue 14: File > Open Recent lists what was saved or opened, newest first; a file that is gone
// is reported and taken off the list; the list survives a restart (QSettings).
void TestWorkbenchFiles::recentFilesReopen()
{
    QVERIFY(waitForFinished(sendGenerated(1024, true)));
    const QString first = m_files.filePath(QStringLiteral("first.expectlab.json"));
    const QString second = m_files.filePath(QStringLiteral("second.expectlab.json"));
    QVERIFY(m_window->saveSessionTo(first));
    QVERIFY(m_window->saveSessionTo(second));
    QCOMPARE(RecentFiles::list(), (QStringList{second, first}));
    QVERIFY(m_window->openSessionFrom(first));
    QCOMPARE(RecentFiles::list(), (QStringList{first, second}));

    auto *menu = m_window->findChild<QMenu *>(QStringLiteral("recentMenu"));
    QVERIFY(menu);
    QMetaObject::invokeMethod(menu, "aboutToShow");
    QStringList tips;
    for (QAction *a : menu->actions())
        if (!a->toolTip().isEmpty() && a->isEnabled() && !a->isSeparator() &&
            a->toolTip().endsWith(QLatin1String(".json")))
            tips << a->toolTip();
    QCOMPARE(tips, (QStringList{first, second}));

    // Reopening one from the list brings its rows back.
    m_window->session()->clear();
    QVERIFY(m_window->openRecent(second));
    QCOMPARE(m_window->session()->model()->rowCount(), 1);
    QVERIFY(m_messages.isEmpty());

    QVERIFY(QFile::remove(first));
    QVERIFY(!m_window->openRecent(first));
    QCOMPARE(m_messages.size(), 1);
    QVERIFY2(m_messages.first().contains(QLatin1String("no longer exists")), qPrintable(m_messages.first()));
    QCOMPARE(RecentFiles::list(), QStringList{second});
}

void TestWorkbenchFiles::clearDropsFinishedConnections()
{
    setPolicy(QStringLiteral("continue"));
    const ExchangeRecord *done = waitForFinished(sendGenerated(512, true));
    QVERIFY(done);
    QTRY_VERIFY_WITH_TIMEOUT(!done->serverConnections.isEmpty(), 5000);
    const QList<int> conns = done->serverConnections;
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->serverConnection(conns.first()) &&
                                 m_window->session()->serverConnection(conns.first())->finished,
                             5000);
    m_window->session()->clear();
    QCOMPARE(m_window->session()->model()->rowCount(), 0);
    for (int conn : conns)
        QVERIFY(!m_window->session()->serverConnection(conn));
    // The session goes on as before.
    QVERIFY(waitForFinished(sendGenerated(512, true)));
    QCOMPARE(m_window->session()->model()->rowCount(), 1);
}

static QAction *actionNamed(QWidget *window, const QString &text)
{
    for (QAction *a : window->findChildren<QAction *>()) {
        if (a->text().remove(QLatin1Char('&')) == text)
            return a;
    }
    return nullptr;
}

void TestWorkbenchFiles::menuActionsAskForFiles()
{
    setPolicy(QStringLiteral("continue"));
    QVERIFY(waitForFinished(sendGenerated(300, true)));
    const QString path = m_files.filePath(QStringLiteral("menu.expectlab.json"));
    QStringList asked;
    QString answer = path;
    m_window->setFileAsker([&](bool save, const QString &title, const QString &, const QString &) {
        asked << (save ? QStringLiteral("save:") : QStringLiteral("open:")) + title;
        return answer;
    });
    QAction *save = actionNamed(m_window, QStringLiteral("Save Session"));
    QVERIFY(save);
    QCOMPARE(save->shortcut(), QKeySequence(QKeySequence::Save));
    save->trigger();
    QCOMPARE(asked.size(), 1);
    QVERIFY(QFile::exists(path));
    save->trigger(); // saved once: Save writes the same file without asking
    QCOMPARE(asked.size(), 1);
    m_window->session()->clear();
    QAction *open = actionNamed(m_window, QStringLiteral("Open Session…"));
    QVERIFY(open);
    open->trigger();
    QCOMPARE(asked.size(), 2);
    QVERIFY(asked.last().startsWith(QLatin1String("open:")));
    QCOMPARE(m_window->session()->model()->rowCount(), 1);
    // A cancelled dialog does nothing.
    answer.clear();
    QAction *har = actionNamed(m_window, QStringLiteral("Export HAR…"));
    QVERIFY(har);
    har->trigger();
    QCOMPARE(asked.size(), 3);
    QVERIFY(m_messages.isEmpty());
    answer = m_files.filePath(QStringLiteral("menu-overview.png"));
    QAction *png = actionNamed(m_window, QStringLiteral("Overview as PNG…"));
    QVERIFY(png);
    png->trigger();
    QVERIFY(QFileInfo(answer).size() > 0);
}

// Issue 14: Quit, Open, Import HAR, New and Clear never drop exchanges that were not saved without
// asking; Cancel keeps them, Save saves first; the title names the file and marks changes.
void TestWorkbenchFiles::unsavedWorkIsKept()
{
    QVERIFY(m_window->windowTitle().startsWith(QLatin1String("Untitled session")));
    QVERIFY(!m_window->isWindowModified());
    setPolicy(QStringLiteral("continue"));
    QVERIFY(waitForFinished(sendGenerated(300, true)));
    QTRY_VERIFY(m_window->isWindowModified());

    m_unsavedChoice = MainWindow::UnsavedChoice::Cancel;
    QAction *newAction = actionNamed(m_window, QStringLiteral("New Session"));
    QVERIFY(newAction);
    newAction->trigger();
    QCOMPARE(m_unsavedQuestions.size(), 1);
    QCOMPARE(m_window->session()->model()->rowCount(), 1); // kept
    QVERIFY(!m_window->close());                           // Quit cancelled too
    QCOMPARE(m_unsavedQuestions.size(), 2);
    QVERIFY(m_window->isVisible());
    actionNamed(m_window, QStringLiteral("Clear Exchanges"))->trigger();
    QCOMPARE(m_window->session()->model()->rowCount(), 1);

    // Save: the file is written first, then the list may go.
    const QString path = m_files.filePath(QStringLiteral("kept.expectlab.json"));
    m_window->setFileAsker([&](bool, const QString &, const QString &, const QString &) { return path; });
    m_unsavedChoice = MainWindow::UnsavedChoice::Save;
    QVERIFY(m_window->newSession());
    QVERIFY(QFile::exists(path));
    QCOMPARE(m_window->session()->model()->rowCount(), 0);
    QVERIFY(!m_window->isWindowModified());

    // Opening it names it in the title, unmodified; nothing to ask before the next open.
    const int asked = int(m_unsavedQuestions.size());
    QVERIFY(m_window->openSessionFrom(path));
    QVERIFY2(m_window->windowTitle().startsWith(QLatin1String("kept.expectlab.json")),
             qPrintable(m_window->windowTitle()));
    QVERIFY(!m_window->isWindowModified());
    actionNamed(m_window, QStringLiteral("Open Session…"))->trigger();
    QCOMPARE(m_unsavedQuestions.size(), asked);
}

// Issue 14: a session keeps the policy its exchanges were made under ("server_policy" was empty).
void TestWorkbenchFiles::serverPolicyIsSavedAndRestored()
{
    setPolicy(QStringLiteral("final:413"));
    QVERIFY(waitForFinished(sendGenerated(300, true)));
    const QString path = m_files.filePath(QStringLiteral("policy.expectlab.json"));
    QVERIFY(m_window->saveSessionTo(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(file.readAll()).object().value(QStringLiteral("server_policy")).toString(),
             QStringLiteral("final:413"));
    setPolicy(QStringLiteral("continue"));
    QVERIFY(m_window->openSessionFrom(path));
    QTRY_COMPARE(m_window->server()->policy().toString(), QStringLiteral("final:413"));
}

// Issue 14: HAR export wrote only our own client's exchanges; an outside client's row is an entry
// too, from the server's view, and says so.
void TestWorkbenchFiles::harHasOutsideClients()
{
    setPolicy(QStringLiteral("continue"));
    QVERIFY(waitForFinished(sendGenerated(300, true)));
    QTcpSocket outside;
    outside.connectToHost(QHostAddress::LocalHost, m_window->server()->port());
    QVERIFY(outside.waitForConnected(5000));
    outside.write("PUT /from-outside HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n");
    QByteArray got;
    QTRY_VERIFY_WITH_TIMEOUT((got += outside.readAll()).contains("100 Continue"), 5000);
    outside.write("hi");
    QTRY_VERIFY2_WITH_TIMEOUT((got += outside.readAll()).contains("200 OK"), got.constData(), 5000);
    outside.disconnectFromHost();
    QTRY_COMPARE_WITH_TIMEOUT(m_window->session()->model()->rowCount(), 2, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(m_window->session()->model()->recordAt(1).running == false, 5000);

    const QString path = m_files.filePath(QStringLiteral("both.har"));
    QVERIFY(m_window->exportHarTo(path));
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QJsonArray entries = QJsonDocument::fromJson(file.readAll())
                                   .object()
                                   .value(QStringLiteral("log"))
                                   .toObject()
                                   .value(QStringLiteral("entries"))
                                   .toArray();
    QCOMPARE(entries.size(), 2);
    const QJsonObject outsider = entries.at(1).toObject();
    QCOMPARE(outsider.value(QStringLiteral("request")).toObject().value(QStringLiteral("method")).toString(),
             QStringLiteral("PUT"));
    QVERIFY(outsider.value(QStringLiteral("request"))
                .toObject()
                .value(QStringLiteral("url"))
                .toString()
                .endsWith(QLatin1String("/from-outside")));
    QCOMPARE(outsider.value(QStringLiteral("_expectlab")).toObject().value(QStringLiteral("observed_by")).toString(),
             QStringLiteral("server"));
    QCOMPARE(outsider.value(QStringLiteral("response")).toObject().value(QStringLiteral("status")).toInt(), 200);
}

void TestWorkbenchFiles::brokenFileChangesNothing_data()
{
    QTest::addColumn<QByteArray>("content"); // empty: no file at all
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("missing") << QByteArray() << QString();
    QTest::newRow("not json") << QByteArray("this is { not json") << QString();
    QTest::newRow("other format") << QByteArray(R"({"format": "something-else", "version": 1})")
                                  << QStringLiteral("format");
    QTest::newRow("newer version") << QByteArray(R"({"format": "expectlab-session", "version": 99})")
                                   << QStringLiteral("version");
}

void TestWorkbenchFiles::brokenFileChangesNothing()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, messagePart);
    setPolicy(QStringLiteral("continue"));
    QVERIFY(waitForFinished(sendGenerated(100, true)));
    const auto before = rows();
    const QString path = m_files.filePath(QStringLiteral("broken-%1.expectlab.json")
                                              .arg(QTest::currentDataTag())
                                              .replace(QLatin1Char(' '), QLatin1Char('-')));
    if (!content.isEmpty()) {
        QFile f(path);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(content);
    }
    QVERIFY(!m_window->openSessionFrom(path));
    QCOMPARE(m_messages.size(), 1);
    QVERIFY2(!m_messages.first().isEmpty(), "the message says why");
    if (!messagePart.isEmpty())
        QVERIFY2(m_messages.first().contains(messagePart, Qt::CaseInsensitive), qPrintable(m_messages.first()));
    QCOMPARE(m_window->outcomeText(), m_messages.first());
    QCOMPARE(rows(), before);
    // A HAR import of the same file fails the same way.
    QVERIFY(!m_window->importHarFrom(path));
    QCOMPARE(m_messages.size(), 2);
    QCOMPARE(rows(), before);
}

void TestWorkbenchFiles::exportsWriteFiles_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<QByteArray>("magic");
    QTest::newRow("har") << QStringLiteral("out.har") << QByteArray("{");
    QTest::newRow("csv") << QStringLiteral("out.csv") << QByteArray("t_ms,side,conn,kind");
    QTest::newRow("timeline png") << QStringLiteral("timeline.png") << QByteArray("\x89PNG");
    QTest::newRow("timeline pdf") << QStringLiteral("timeline.pdf") << QByteArray("%PDF");
    QTest::newRow("overview png") << QStringLiteral("overview.png") << QByteArray("\x89PNG");
    QTest::newRow("overview pdf") << QStringLiteral("overview.pdf") << QByteArray("%PDF");
}

void TestWorkbenchFiles::exportsWriteFiles()
{
    QFETCH(QString, name);
    QFETCH(QByteArray, magic);
    setPolicy(QStringLiteral("delay:20"));
    QVERIFY(waitForFinished(sendGenerated(4096, true)));
    const QString path = m_files.filePath(name);
    QFile::remove(path);
    QCustomPlot *shown = name.startsWith(QLatin1String("timeline")) ? m_window->detail()->timeline()->plot()
                                                                    : m_window->overview()->plot();
    const int rowsBefore = shown->plotLayout()->rowCount();
    bool ok = false;
    if (name.endsWith(QLatin1String(".har")))
        ok = m_window->exportHarTo(path);
    else if (name.endsWith(QLatin1String(".csv")))
        ok = m_window->exportEventsCsvTo(path);
    else
        ok = m_window->exportPlotTo(
            name.startsWith(QLatin1String("timeline")) ? MainWindow::Plot::Timeline : MainWindow::Plot::Overview, path);
    QVERIFY2(ok, qPrintable(m_messages.join(QLatin1Char('\n'))));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QByteArray bytes = f.readAll();
    QVERIFY(bytes.size() > 100);
    QVERIFY2(bytes.startsWith(magic), bytes.left(40).constData());
    // Issue 14: an exported plot has a title row (and the timeline a key row) over and under the
    // plot as it is shown; the window's plot is left as it was.
    QCOMPARE(shown->plotLayout()->rowCount(), rowsBefore);
    if (name.startsWith(QLatin1String("overview")))
        QCOMPARE(m_window->overview()->pointCount(), 1); // drawn for the export, not at the next batch
    if (name.endsWith(QLatin1String(".png")) && shown->height() > 50) {
        const QImage image = QImage::fromData(bytes, "PNG");
        QCOMPARE(image.height(), shown->height() + (name.startsWith(QLatin1String("timeline")) ? 100 : 45));
    }
    // No temporary file is left next to it.
    QCOMPARE(QDir(m_files.path()).entryList({QStringLiteral("expectlab-*")}, QDir::Files), QStringList());
    // A PDF gets vector discs; the screen goes back to the cheap cached ones afterwards.
    for (int i = 0; i < m_window->overview()->plot()->graphCount() - 1; ++i)
        QCOMPARE(m_window->overview()->plot()->graph(i)->scatterStyle().shape(), QCPScatterStyle::ssPixmap);
    // An unwritable place is a message, not a crash.
    QVERIFY(!m_window->exportPlotTo(MainWindow::Plot::Overview, m_files.filePath(QStringLiteral("no/such/dir/x.png"))));
    QCOMPARE(m_messages.size(), 1);
}

void TestWorkbenchFiles::harExportImportRoundTrips()
{
    setPolicy(QStringLiteral("continue"));
    QVERIFY(waitForFinished(sendGenerated(512, true)));
    setPolicy(QStringLiteral("final:413"));
    QVERIFY(waitForFinished(sendGenerated(2048, true)));
    const auto before = rows();
    const QString path = m_files.filePath(QStringLiteral("roundtrip.har"));
    QVERIFY(m_window->exportHarTo(path));
    m_window->session()->clear();
    QVERIFY(m_window->importHarFrom(path));
    const auto after = rows();
    QCOMPARE(after.size(), before.size());
    for (int i = 0; i < after.size(); ++i)
        QCOMPARE(std::get<1>(after.at(i)), std::get<1>(before.at(i)));
}

void TestWorkbenchFiles::copyAsCurlThenPaste_data()
{
    QTest::addColumn<QString>("method");
    QTest::addColumn<qint64>("bytes");
    QTest::addColumn<bool>("expect");
    QTest::addColumn<int>("expectTimeoutMs");
    QTest::addColumn<bool>("chunked");
    QTest::newRow("post 1 KiB expect") << QStringLiteral("POST") << qint64(1024) << true << 1000 << false;
    QTest::newRow("put 3 MiB no expect") << QStringLiteral("PUT") << qint64(3 * 1024 * 1024) << false << 1000 << false;
    QTest::newRow("post chunked wait 2500") << QStringLiteral("POST") << qint64(5000) << true << 2500 << true;
}

void TestWorkbenchFiles::copyAsCurlThenPaste()
{
    QFETCH(QString, method);
    QFETCH(qint64, bytes);
    QFETCH(bool, expect);
    QFETCH(int, expectTimeoutMs);
    QFETCH(bool, chunked);
    ComposerPanel *c = m_window->composer();
    c->setUrl(QStringLiteral("http://127.0.0.1:8089/up?x=1"));
    c->setMethod(method);
    c->setGeneratedBody(bytes, SizeUnit::B);
    c->setExpect(expect);
    c->setExpectTimeoutMs(expectTimeoutMs);
    c->setChunked(chunked);
    c->addHeader(QStringLiteral("X-Token"), QStringLiteral("a b"));
    QString error;
    const std::optional<ClientRequest> original = c->request(&error);
    QVERIFY2(original, qPrintable(error));

    QVERIFY(m_window->copyAsCurl(MainWindow::CurlSource::Composer));
    const QString command = QApplication::clipboard()->text();
    QVERIFY2(command.contains(QLatin1String("curl")), qPrintable(command));
    // Something else in the composer, then the paste brings the request back.
    c->setUrl(QStringLiteral("http://127.0.0.1:1/other"));
    c->setBodyKind(ComposerPanel::BodyKind::None);
    c->setExpect(!expect);
    QVERIFY2(m_window->pasteCurl(command), qPrintable(m_messages.join(QLatin1Char('\n'))));
    const std::optional<ClientRequest> pasted = c->request(&error);
    QVERIFY2(pasted, qPrintable(error));
    QCOMPARE(pasted->url, original->url);
    QCOMPARE(pasted->effectiveMethod(), original->effectiveMethod());
    QCOMPARE(pasted->headers, original->headers);
    QCOMPARE(pasted->body.kind, BodySpec::Kind::Generated);
    QCOMPARE(pasted->body.generatedSize, bytes);
    QCOMPARE(pasted->expectToSend(), original->expectToSend());
    QCOMPARE(pasted->chunked, chunked);
    if (expect)
        QCOMPARE(pasted->expectTimeoutMs, expectTimeoutMs);
}

void TestWorkbenchFiles::pasteBadCurlShowsError()
{
    m_window->composer()->setUrl(QStringLiteral("http://127.0.0.1:8089/keep"));
    QVERIFY(!m_window->pasteCurl(QStringLiteral("curl 'http://127.0.0.1/unterminated")));
    QCOMPARE(m_messages.size(), 1);
    QCOMPARE(m_window->composer()->url(), QStringLiteral("http://127.0.0.1:8089/keep"));
}

void TestWorkbenchFiles::copySelectedExchangeAsCurl()
{
    QVERIFY(!m_window->copyAsCurl(MainWindow::CurlSource::Selection)); // nothing selected yet
    setPolicy(QStringLiteral("continue"));
    const int number = sendGenerated(777, true);
    QVERIFY(waitForFinished(number));
    m_window->selectExchange(number);
    QVERIFY(m_window->copyAsCurl(MainWindow::CurlSource::Selection));
    const QString command = QApplication::clipboard()->text();
    QVERIFY2(command.contains(m_window->server()->url() + QStringLiteral("upload")), qPrintable(command));
    QVERIFY(m_window->pasteCurl(command));
    QString error;
    const std::optional<ClientRequest> pasted = m_window->composer()->request(&error);
    QVERIFY2(pasted, qPrintable(error));
    QCOMPARE(pasted->body.generatedSize + pasted->body.text.size(), qint64(777));
    QCOMPARE(pasted->expectToSend(), QByteArray("100-continue"));
}

void TestWorkbenchFiles::autosaveWritesToTestFolder()
{
    Autosave *autosave = m_window->autosave();
    QVERIFY(autosave);
    QVERIFY(autosave->isActive());
    // Test mode: never the user's real data folder.
    QVERIFY2(autosave->path().contains(QLatin1String(".qttest")), qPrintable(autosave->path()));
    setPolicy(QStringLiteral("continue"));
    QVERIFY(waitForFinished(sendGenerated(64, true)));
    // The window marks the autosave changed when exchanges arrive; it writes within its interval.
    QSignalSpy written(autosave, &Autosave::saved);
    autosave->setIntervalMs(20);
    QVERIFY(waitForFinished(sendGenerated(65, true)));
    QVERIFY(written.count() > 0 || written.wait(5000));
    QVERIFY(autosave->saveNow());
    QString error;
    const std::optional<Session> saved = loadSession(autosave->path(), &error);
    QVERIFY2(saved, qPrintable(error));
    QCOMPARE(saved->exchanges.size(), 2);
    // A failed autosave is said in the status bar.
    emit autosave->saveFailed(QStringLiteral("disk full"));
    QVERIFY2(m_window->statusBar()->currentMessage().contains(QLatin1String("disk full")),
             qPrintable(m_window->statusBar()->currentMessage()));
}

void TestWorkbenchFiles::autosaveRestoreOffered_data()
{
    QTest::addColumn<bool>("accept");
    QTest::newRow("accepted") << true;
    QTest::newRow("declined") << false;
}

void TestWorkbenchFiles::autosaveRestoreOffered()
{
    QFETCH(bool, accept);
    setPolicy(QStringLiteral("continue"));
    QVERIFY(waitForFinished(sendGenerated(64, true)));
    QVERIFY(waitForFinished(sendGenerated(65, false)));
    const auto crashedRows = rows();
    // What a crashed run leaves: an autosave file whose lock nobody holds.
    const QString leftover = Autosave::directory() + QStringLiteral("/autosave-999999-1.expectlab.json");
    QVERIFY(m_window->saveSessionTo(leftover));
    QCOMPARE(Autosave::leftovers(), QStringList{leftover});

    delete m_window;
    m_window = new MainWindow;
    m_window->setMessageShower([this](const QString &, const QString &message) { m_messages << message; });
    m_window->setUnsavedPrompt([this](const QString &question) {
        m_unsavedQuestions << question;
        return m_unsavedChoice;
    });
    int asked = 0;
    m_window->setQuestioner([&](const QString &, const QString &) {
        ++asked;
        return accept;
    });
    m_window->offerAutosaveRestore();
    QCOMPARE(asked, 1);
    QCOMPARE(rows().size(), accept ? crashedRows.size() : 0);
    if (accept)
        QCOMPARE(rows(), crashedRows);
    QVERIFY(!QFile::exists(leftover));
    QVERIFY(Autosave::leftovers().isEmpty());
    m_window->offerAutosaveRestore(); // asked once only
    QCOMPARE(asked, 1);
    m_window->setQuestioner({});
}

void TestWorkbenchFiles::probeTabExists()
{
    QTabWidget *tabs = m_window->toolTabs();
    int index = -1;
    for (int i = 0; i < tabs->count(); ++i) {
        if (tabs->tabText(i).remove(QLatin1Char('&')) == QLatin1String("Probe"))
            index = i;
    }
    QVERIFY(index >= 0);
    QVERIFY(qobject_cast<ProbeWidget *>(tabs->widget(index)));
}

static MatrixWidget *matrixTab(MainWindow *window)
{
    QTabWidget *tabs = window->toolTabs();
    for (int i = 0; i < tabs->count(); ++i) {
        if (auto *m = qobject_cast<MatrixWidget *>(tabs->widget(i)))
            return m;
    }
    return nullptr;
}

// Issue 14: the Probe and Matrix tabs' results were lost with the window. They are part of the
// session now: saved, counted as unsaved work, cleared by New and restored by Open.
void TestWorkbenchFiles::probeAndMatrixAreSavedAndRestored()
{
    setPolicy(QStringLiteral("continue"));
    auto *probe = m_window->findChild<ProbeWidget *>(QStringLiteral("probeTab"));
    MatrixWidget *matrix = matrixTab(m_window);
    QVERIFY(probe && matrix);
    // A server of the test's own: the window's would list the probe's connections as exchanges.
    TestServer target;
    QVERIFY(target.listen(QHostAddress::LocalHost, 0));
    probe->setUrl(QStringLiteral("http://127.0.0.1:%1/upload").arg(target.port()));
    probe->setTimeoutMs(500);
    QSignalSpy probed(probe, &ProbeWidget::runFinished);
    probe->run();
    QVERIFY(probed.wait(60000));
    const int scenarios = probe->resultsModel()->rowCount();
    QVERIFY(scenarios > 3);
    const QString firstVerdict = probe->resultsModel()->index(0, ProbeResultsModel::VerdictColumn).data().toString();

    // No exchange in the list, and still work to lose.
    QCOMPARE(m_window->session()->model()->rowCount(), 0);
    QTRY_VERIFY(m_window->isWindowModified());
    m_unsavedChoice = MainWindow::UnsavedChoice::Cancel;
    const qsizetype asked = m_unsavedQuestions.size();
    QVERIFY(!m_window->newSession());
    QCOMPARE(m_unsavedQuestions.size(), asked + 1);
    QVERIFY2(m_unsavedQuestions.last().contains(QLatin1String("probe or matrix")),
             qPrintable(m_unsavedQuestions.last()));
    QCOMPARE(probe->resultsModel()->rowCount(), scenarios);

    for (QCheckBox *box : matrix->clientBoxes())
        box->setChecked(box->text() == QLatin1String("no-expect") || box->text() == QLatin1String("expect"));
    matrix->clientsEdit()->clear();
    matrix->policiesEdit()->setText(QStringLiteral("continue,reject"));
    matrix->sizesEdit()->setText(QStringLiteral("1K"));
    matrix->urlEdit()->clear();
    QSignalSpy finished(matrix, &MatrixWidget::finished);
    QVERIFY2(matrix->run(), qPrintable(matrix->statusText()));
    QVERIFY(finished.wait(30000));
    QCOMPARE(matrix->grid()->cells().size(), 4);

    const QString path = m_files.filePath(QStringLiteral("tools.expectlab.json"));
    QVERIFY(m_window->saveSessionTo(path));
    QVERIFY(!m_window->isWindowModified());

    // New clears both tabs: a new session does not show the last one's results.
    QVERIFY(m_window->newSession());
    QCOMPARE(m_unsavedQuestions.size(), asked + 1); // saved: nothing to ask
    QCOMPARE(probe->resultsModel()->rowCount(), 0);
    QCOMPARE(matrix->grid()->cells().size(), 0);
    QVERIFY(!m_window->isWindowModified());

    QVERIFY(m_window->openSessionFrom(path));
    QCOMPARE(probe->resultsModel()->rowCount(), scenarios);
    QCOMPARE(probe->resultsModel()->index(0, ProbeResultsModel::VerdictColumn).data().toString(), firstVerdict);
    QVERIFY2(probe->statusText().startsWith(QLatin1String("From the session")), qPrintable(probe->statusText()));
    QCOMPARE(matrix->grid()->cells().size(), 4);
    QCOMPARE(matrix->grid()->index(1, 1).data(MatrixGridModel::StatusRole).toString(), QStringLiteral("417 > 200"));
    QVERIFY2(matrix->statusText().startsWith(QLatin1String("From the session")), qPrintable(matrix->statusText()));
    // A restored cell opens its timeline like a fresh one.
    matrix->openCell(matrix->grid()->index(1, 1));
    QVERIFY(matrix->timeline()->arrowCount() > 0);
    QVERIFY(!m_window->isWindowModified());
}

void TestWorkbenchFiles::matrixTabRunsSmallGrid()
{
    MatrixWidget *matrix = matrixTab(m_window);
    QVERIFY(matrix);
    QAbstractItemModelTester tester(matrix->grid(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    // 2 clients x 2 policies x 1 size.
    for (QCheckBox *box : matrix->clientBoxes())
        box->setChecked(box->text() == QLatin1String("no-expect") || box->text() == QLatin1String("expect"));
    matrix->clientsEdit()->clear();
    matrix->policiesEdit()->setText(QStringLiteral("continue,reject"));
    matrix->sizesEdit()->setText(QStringLiteral("1K"));
    matrix->urlEdit()->clear();
    QSignalSpy finished(matrix, &MatrixWidget::finished);
    QSignalSpy cells(matrix, &MatrixWidget::cellFinished);
    QVERIFY2(matrix->run(), qPrintable(matrix->statusText()));
    QCOMPARE(matrix->grid()->rowCount(), 2);
    QCOMPARE(matrix->grid()->columnCount(), 2);
    QVERIFY(finished.wait(30000));
    QCOMPARE(cells.count(), 4);
    QCOMPARE(matrix->grid()->cells().size(), 4);
    for (int row = 0; row < 2; ++row)
        for (int column = 0; column < 2; ++column)
            QVERIFY(!matrix->grid()->index(row, column).data().toString().isEmpty());
    // Rows: no-expect then expect; columns: continue then reject (R6: curl's way retries after 417).
    QCOMPARE(matrix->grid()->index(0, 0).data(MatrixGridModel::StatusRole).toString(), QStringLiteral("200"));
    QCOMPARE(matrix->grid()->index(1, 1).data(MatrixGridModel::StatusRole).toString(), QStringLiteral("417 > 200"));
    // Issue 14: each cell names its key in the charts and the figure it is shaded by, with a unit.
    const int key = matrix->grid()->index(1, 1).data(MatrixGridModel::CellIndexRole).toInt() + 1;
    const QString cell = matrix->grid()->index(1, 1).data().toString();
    QVERIFY2(cell.startsWith(QStringLiteral("#%1  417 > 200\nwait ").arg(key)) && cell.endsWith(QLatin1String(" ms")),
             qPrintable(cell));
    matrix->grid()->setFigure(MatrixGridModel::Figure::BytesBeforeFinal);
    QVERIFY2(matrix->grid()->index(0, 0).data().toString().endsWith(QLatin1String("1.00 KiB sent")),
             qPrintable(matrix->grid()->index(0, 0).data().toString()));
    matrix->grid()->setFigure(MatrixGridModel::Figure::ExpectWait);
    // The no-expect cells never waited: no heat; the waiting ones are shaded.
    QCOMPARE(matrix->grid()->index(0, 0).data(MatrixGridModel::HeatRole).toDouble(), 0.0);
    QVERIFY(matrix->grid()->index(1, 0).data(MatrixGridModel::HeatRole).toDouble() > 0.0);
    // The charts are keyed by the same numbers, and their bars say what they are.
    QCustomPlot *waitChart = matrix->findChild<QCustomPlot *>(QStringLiteral("matrixWaitChart"));
    QVERIFY(waitChart);
    const auto ticks = qSharedPointerCast<QCPAxisTickerText>(waitChart->xAxis->ticker())->ticks();
    QCOMPARE(ticks.value(key), QStringLiteral("#%1").arg(key));
    QVERIFY(matrix->chartTip(waitChart, key).contains(QLatin1String("417 > 200")));
    QVERIFY(matrix->grid()->headerData(1, Qt::Vertical).toString().startsWith(QLatin1String("expect")));
    QCOMPARE(matrix->grid()->headerData(1, Qt::Horizontal).toString(), QStringLiteral("reject"));

    const QString path = m_files.filePath(QStringLiteral("matrix.json"));
    QVERIFY(matrix->exportJson(path));
    QFile f(path);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll());
    QVERIFY(doc.isObject());
    QCOMPARE(doc.object(), matrixResultToJson(matrix->result()));

    matrix->openCell(matrix->grid()->index(1, 1));
    QVERIFY(matrix->timeline()->markerCount() > 0);

    // Issue 14: the inputs of the run come back in the next window.
    MatrixWidget next;
    QCOMPARE(next.policiesEdit()->text(), QStringLiteral("continue,reject"));
    QCOMPARE(next.sizesEdit()->text(), QStringLiteral("1K"));
    QStringList checked;
    for (const QCheckBox *box : next.clientBoxes())
        if (box->isChecked())
            checked << box->text();
    QCOMPARE(checked, (QStringList{QStringLiteral("no-expect"), QStringLiteral("expect")}));
}

void TestWorkbenchFiles::matrixTabCancels()
{
    MatrixWidget *matrix = matrixTab(m_window);
    QVERIFY(matrix);
    // A client that waits 5 s for a 100 the server never sends (R5): Cancel ends it early.
    for (QCheckBox *box : matrix->clientBoxes())
        box->setChecked(false);
    matrix->clientsEdit()->setText(QStringLiteral("expect:5000"));
    matrix->policiesEdit()->setText(QStringLiteral("ignore,continue"));
    matrix->sizesEdit()->setText(QStringLiteral("1K"));
    QSignalSpy finished(matrix, &MatrixWidget::finished);
    QSignalSpy started(matrix, &MatrixWidget::cellStarted);
    QVERIFY2(matrix->run(), qPrintable(matrix->statusText()));
    QVERIFY(!matrix->run()); // one run at a time
    // Cancel once the first cell's client is waiting for its 100, not before any cell starts: only
    // then does the cancel have a running exchange to stop.
    QVERIFY(started.count() > 0 || started.wait(5000));
    QElapsedTimer clock;
    clock.start();
    matrix->cancel();
    // A wait longer than the bound, so that the bound is what the test checks (expect:5000 would
    // keep an uncancelled cell waiting past it).
    QVERIFY(finished.count() > 0 || finished.wait(10000));
    QVERIFY(clock.elapsed() < 4000);
    QVERIFY(matrix->result().cancelled);
    QVERIFY2(matrix->statusText().startsWith(QLatin1String("Cancelled")), qPrintable(matrix->statusText()));
    QVERIFY(matrix->grid()->cells().size() < 2);
    QVERIFY(matrix->findChild<QPushButton *>(QStringLiteral("matrixRun"))->isEnabled());
}

void TestWorkbenchFiles::matrixTabRejectsBadInput_data()
{
    QTest::addColumn<QString>("clients");
    QTest::addColumn<QString>("policies");
    QTest::addColumn<QString>("sizes");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("bad client") << QStringLiteral("expect:soon") << QStringLiteral("continue") << QStringLiteral("1K")
                                << QStringLiteral("Clients");
    QTest::newRow("bad policy") << QString() << QStringLiteral("sometimes") << QStringLiteral("1K")
                                << QStringLiteral("Policies");
    QTest::newRow("bad size") << QString() << QStringLiteral("continue") << QStringLiteral("lots")
                              << QStringLiteral("Sizes");
    // 2^63 / 2^30 is about 8.6e9: more gigabytes than a qint64 holds must not wrap to a small size.
    QTest::newRow("overflowing size") << QString() << QStringLiteral("continue") << QStringLiteral("99999999999G")
                                      << QStringLiteral("Sizes");
}

void TestWorkbenchFiles::matrixTabRejectsBadInput()
{
    QFETCH(QString, clients);
    QFETCH(QString, policies);
    QFETCH(QString, sizes);
    QFETCH(QString, messagePart);
    MatrixWidget *matrix = matrixTab(m_window);
    QVERIFY(matrix);
    matrix->clientsEdit()->setText(clients);
    matrix->policiesEdit()->setText(policies);
    matrix->sizesEdit()->setText(sizes);
    QVERIFY(!matrix->run());
    QVERIFY2(matrix->statusText().contains(messagePart), qPrintable(matrix->statusText()));
    QVERIFY(!matrix->isRunning());
}

void TestWorkbenchFiles::profileAppearsForExchange()
{
    // An external client (a raw socket) that sends Expect and waits for our 100 (R3, R4).
    setPolicy(QStringLiteral("continue"));
    QTcpSocket client;
    client.connectToHost(QHostAddress::LocalHost, m_window->server()->port());
    QVERIFY(client.waitForConnected(5000));
    client.write(
        "POST /ext HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n");
    // The server runs on its own thread: blocking waits here do not stall it.
    QVERIFY(client.waitForReadyRead(5000));
    QVERIFY(client.readAll().startsWith("HTTP/1.1 100"));
    client.write("hello");
    QVERIFY(client.waitForDisconnected(5000));

    ExchangeListModel *model = m_window->session()->model();
    QTRY_VERIFY_WITH_TIMEOUT(model->rowCount() == 1, 5000);
    QTRY_VERIFY_WITH_TIMEOUT(!model->recordAt(0).running, 5000);
    const ExchangeRecord &record = model->recordAt(0);
    QCOMPARE(record.origin, ExchangeRecord::Origin::ExternalClient);
    QString detail;
    for (const TimelineEvent &e : m_window->session()->serverEvents(record)) {
        if (e.kind == EventKind::Profile)
            detail = e.detail;
    }
    QVERIFY2(detail.contains(QLatin1String("expect=100-continue")), qPrintable(detail));
    QVERIFY2(detail.contains(QLatin1String("wait=until-100")), qPrintable(detail));
    QCOMPARE(model->index(0, ExchangeListModel::ClientBehaviourColumn).data().toString(),
             QStringLiteral("waits for 100"));
    // The selected exchange's events view has the profile's line.
    m_window->selectExchange(record.number);
    auto *events = m_window->findChild<QPlainTextEdit *>(QStringLiteral("eventsView"));
    QVERIFY(events);
    QTRY_VERIFY_WITH_TIMEOUT(events->toPlainText().contains(QLatin1String("profile")), 5000);
    QVERIFY(events->toPlainText().contains(QLatin1String("wait=until-100")));

    // Our own client's exchange gets its profile as well.
    const int number = sendGenerated(100, true);
    QVERIFY(waitForFinished(number));
    QTRY_VERIFY_WITH_TIMEOUT(
        [&] {
            const ExchangeRecord *r = model->recordByNumber(number);
            for (const TimelineEvent &e : m_window->session()->serverEvents(*r))
                if (e.kind == EventKind::Profile)
                    return true;
            m_window->session()->flush();
            return false;
        }(),
        5000);
}

QTEST_MAIN(TestWorkbenchFiles)
#include "tst_workbenchfiles.moc"
