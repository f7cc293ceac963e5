// Autosave: the session is written to the data folder a moment after it changes; a file left by an
// instance that did not end normally is offered for restore; a normal end leaves nothing behind.

#include "autosave.h"
#include "sessionfile.h"
#include "sessionrecorder.h"

#include <QDir>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTest>
#include <QTimer>

using namespace expectlab;

namespace {
ExchangeSummary exchange(int id)
{
    ExchangeSummary s;
    s.id = id;
    s.url = QUrl(QStringLiteral("http://127.0.0.1:1/x"));
    s.method = "POST";
    s.finalStatus = 200;
    s.startNs = 10;
    s.endNs = 20;
    return s;
}
} // namespace

class TestAutosave : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase()
    {
        // Writes go to a test folder (~/.qttest/...), never to the user's own data.
        QStandardPaths::setTestModeEnabled(true);
        QCoreApplication::setApplicationName(QStringLiteral("ExpectLabAutosaveTest"));
    }

    void init() { QDir(Autosave::directory()).removeRecursively(); }

    void writesAfterChangesAndCleansUp()
    {
        SessionRecorder recorder;
        QString path;
        {
            Autosave autosave(&recorder);
            autosave.setIntervalMs(50);
            QString error;
            QVERIFY2(autosave.start(&error), qPrintable(error));
            path = autosave.path();
            QVERIFY(path.startsWith(Autosave::directory()));
            QVERIFY(path.endsWith(QLatin1String(kSessionSuffix)));
            QSignalSpy saved(&autosave, &Autosave::saved);

            recorder.addExchange(exchange(1));
            recorder.addExchange(exchange(2)); // changes close together make one write
            QVERIFY(saved.wait(5000));
            QCOMPARE(saved.size(), 1);
            auto onDisk = loadSession(path, &error);
            QVERIFY2(onDisk, qPrintable(error));
            QCOMPARE(onDisk->exchanges.size(), 2);

            recorder.addExchange(exchange(3));
            QVERIFY(saved.wait(5000));
            QCOMPARE(loadSession(path, &error)->exchanges.size(), 3);

            // Our own file is not a leftover while we run.
            QVERIFY(!Autosave::leftovers().contains(path));
        }
        // A normal end removes the file: nothing to offer next time.
        QVERIFY(!QFile::exists(path));
        QVERIFY(Autosave::leftovers().isEmpty());
    }

    void providerAndMarkChanged()
    {
        // The workbench's way: its rows live elsewhere, it says when they changed.
        int calls = 0;
        Autosave autosave([&calls] {
            ++calls;
            Session s;
            s.exchanges << exchange(calls);
            return s;
        });
        autosave.setIntervalMs(20);
        autosave.markChanged(); // before start(): remembered
        QSignalSpy saved(&autosave, &Autosave::saved);
        QVERIFY(autosave.start());
        QVERIFY(saved.wait(5000));
        QCOMPARE(calls, 1);
        QVERIFY(autosave.saveNow()); // nothing changed since: no work
        QCOMPARE(calls, 1);
        autosave.markChanged();
        QVERIFY(saved.wait(5000));
        QCOMPARE(loadSession(autosave.path(), nullptr)->exchanges.first().id, 2);
    }

    // Issue 13: the timer's write runs off the caller's thread. Written on the caller's thread,
    // `saved` would come from inside the timer's slot and no other event could run between the
    // snapshot and it; off it, the caller's event loop keeps turning while a large session is written.
    void timedWritesLeaveTheCallersThreadFree()
    {
        Session big;
        for (int i = 1; i <= 20000; ++i)
            big.exchanges << exchange(i);
        bool snapshotTaken = false;
        Autosave autosave([&] {
            snapshotTaken = true;
            return big;
        });
        autosave.setIntervalMs(0);
        QVERIFY(autosave.start());
        QSignalSpy saved(&autosave, &Autosave::saved);
        int ticksWhileWriting = 0;
        QTimer ticker;
        ticker.setInterval(0);
        connect(&ticker, &QTimer::timeout, this, [&] {
            if (snapshotTaken && saved.isEmpty())
                ++ticksWhileWriting;
        });
        ticker.start();
        autosave.markChanged();
        QVERIFY(saved.wait(20000));
        QVERIFY2(ticksWhileWriting > 0, "the write blocked the caller's event loop");
        QString error;
        QCOMPARE(loadSession(autosave.path(), &error)->exchanges.size(), 20000);
    }

    // saveNow while a timed write is in flight: the file ends with the newer snapshot, never the
    // older one renamed over it afterwards.
    void saveNowWaitsForTheWriteInFlight()
    {
        int generation = 0;
        bool firstTaken = false;
        Autosave autosave([&] {
            firstTaken = firstTaken || generation == 1;
            Session s;
            for (int i = 1; i <= (generation == 1 ? 20000 : 1); ++i)
                s.exchanges << exchange(generation * 100000 + i);
            return s;
        });
        autosave.setIntervalMs(0);
        QVERIFY(autosave.start());
        QSignalSpy saved(&autosave, &Autosave::saved);
        generation = 1;
        autosave.markChanged();
        QTRY_VERIFY_WITH_TIMEOUT(firstTaken, 5000); // the timed write of 20000 exchanges has begun
        generation = 2;
        autosave.markChanged();
        QString error;
        QVERIFY2(autosave.saveNow(&error), qPrintable(error));
        QTRY_COMPARE_WITH_TIMEOUT(saved.size(), 2, 10000); // both writes have ended
        const auto onDisk = loadSession(autosave.path(), &error);
        QVERIFY2(onDisk, qPrintable(error));
        QCOMPARE(onDisk->exchanges.size(), 1);
        QCOMPARE(onDisk->exchanges.first().id, 200001);
    }

    void nothingWrittenForAnEmptySession()
    {
        SessionRecorder recorder;
        Autosave autosave(&recorder);
        autosave.setIntervalMs(10);
        QVERIFY(autosave.start());
        recorder.setServerPolicy(QStringLiteral("reject")); // a change, but nothing worth restoring
        QSignalSpy saved(&autosave, &Autosave::saved);
        QVERIFY(autosave.saveNow());
        QCOMPARE(saved.size(), 0);
        QVERIFY(!QFile::exists(autosave.path()));
    }

    void leftoverAfterCrashIsOffered()
    {
        // What a crashed instance leaves: its autosave file and a lock file whose process is gone.
        QVERIFY(QDir().mkpath(Autosave::directory()));
        Session crashed = Session::startingNow();
        crashed.exchanges << exchange(7);
        crashed.note = QStringLiteral("from the crash");
        const QString leftover = Autosave::directory() + QStringLiteral("/autosave-999999-1.expectlab.json");
        QString error;
        QVERIFY(saveSession(crashed, leftover, &error));
        {
            QFile lock(Autosave::directory() + QStringLiteral("/autosave-999999-1.lock"));
            QVERIFY(lock.open(QIODevice::WriteOnly));
            // QLockFile's format: pid, application, host. This host, and a pid no process has.
            lock.write("999999\nExpectLabAutosaveTest\n" + QSysInfo::machineHostName().toUtf8() + "\n");
        }

        // The next start: a live instance's file is not offered, the crashed one is.
        SessionRecorder recorder;
        Autosave running(&recorder);
        QVERIFY(running.start());
        recorder.addExchange(exchange(1));
        QVERIFY(running.saveNow());
        QVERIFY(QFile::exists(running.path()));

        const QStringList offers = Autosave::leftovers();
        QCOMPARE(offers, QStringList{leftover});
        const auto restored = Autosave::restore(offers.first(), &error);
        QVERIFY2(restored, qPrintable(error));
        QCOMPARE(restored->note, crashed.note);
        QCOMPARE(restored->exchanges.first().id, 7);

        recorder.setSession(*restored);
        Autosave::discard(leftover);
        QVERIFY(!QFile::exists(leftover));
        QVERIFY(Autosave::leftovers().isEmpty());
        // discard() leaves a running instance's file alone.
        Autosave::discard(running.path());
        QVERIFY(QFile::exists(running.path()));
    }
};

QTEST_GUILESS_MAIN(TestAutosave)
#include "tst_autosave.moc"
