// Body sources: the bytes they stream, and the file source's reuse of slices the socket let go of.
#include "bodysource.h"

#include <QFile>
#include <QTemporaryFile>
#include <QTest>

#include <memory>

using namespace expectlab;

namespace {
QByteArray fileContent(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char('a' + (i * 7 + i / 251) % 26);
    return bytes;
}
// A closed temporary file holding content (removed with the object).
std::unique_ptr<QTemporaryFile> fileWith(const QByteArray &content)
{
    auto file = std::make_unique<QTemporaryFile>();
    if (!file->open() || file->write(content) != content.size())
        qFatal("cannot write a temporary file");
    file->close();
    return file;
}
} // namespace

class TestBodySource : public QObject
{
    Q_OBJECT
private slots:
    void fileStreamsItsBytes_data();
    void fileStreamsItsBytes();
    void heldSliceIsNeverOverwritten();
    void releasedSliceIsReused();
    void shrunkFileIsAnError();
    void generatedPatternIsContinuous();
};

void TestBodySource::fileStreamsItsBytes_data()
{
    QTest::addColumn<qsizetype>("size");
    QTest::addColumn<qint64>("slice");
    QTest::newRow("empty") << qsizetype(0) << qint64(4096);
    QTest::newRow("smaller than a slice") << qsizetype(100) << qint64(4096);
    QTest::newRow("exact slices") << qsizetype(3 * 4096) << qint64(4096);
    QTest::newRow("slices and a remainder") << qsizetype(300001) << qint64(65536);
}

void TestBodySource::fileStreamsItsBytes()
{
    QFETCH(qsizetype, size);
    QFETCH(qint64, slice);
    const QByteArray content = fileContent(size);
    const auto file = fileWith(content);
    FileBodySource source(file->fileName());
    QString error;
    QVERIFY2(source.open(&error), qPrintable(error));
    QCOMPARE(source.size(), size);
    for (int pass = 0; pass < 2; ++pass) { // the second pass after a rewind, as for a retry
        QByteArray all;
        for (int i = 0; i <= size / slice + 1; ++i)
            all += source.read(slice);
        QCOMPARE(all, content);
        QVERIFY(source.read(slice).isEmpty());
        QVERIFY(source.errorString().isEmpty());
        QVERIFY(source.rewind(&error));
    }
}

void TestBodySource::heldSliceIsNeverOverwritten()
{
    // The socket holds each slice until the kernel took it: reading on must not touch those bytes.
    const QByteArray content = fileContent(64 * 1024);
    const auto file = fileWith(content);
    FileBodySource source(file->fileName());
    QVERIFY(source.open(nullptr));
    QList<QByteArray> held;
    for (int i = 0; i < 16; ++i)
        held << source.read(4096);
    for (int i = 0; i < 16; ++i)
        QCOMPARE(held.at(i), content.mid(i * 4096, 4096));
}

void TestBodySource::releasedSliceIsReused()
{
    const auto file = fileWith(fileContent(64 * 1024));
    FileBodySource source(file->fileName());
    QVERIFY(source.open(nullptr));
    const char *first = nullptr;
    {
        const QByteArray slice = source.read(4096);
        first = slice.constData();
    } // released, as the socket does once the bytes are written
    const QByteArray again = source.read(4096);
    QCOMPARE(static_cast<const void *>(again.constData()), static_cast<const void *>(first));
    const QByteArray other = source.read(4096); // `again` is still held: another buffer
    QVERIFY(other.constData() != again.constData());
}

void TestBodySource::shrunkFileIsAnError()
{
    const auto file = fileWith(fileContent(10000));
    FileBodySource source(file->fileName());
    QVERIFY(source.open(nullptr));
    QCOMPARE(source.read(4096).size(), 4096);
    QVERIFY(QFile::resize(file->fileName(), 5000)); // shrinks while it is being sent
    QCOMPARE(source.read(4096).size(), 904);
    QVERIFY(source.read(4096).isEmpty());
    QVERIFY2(source.errorString().contains(QLatin1String("shrank")), qPrintable(source.errorString()));
}

void TestBodySource::generatedPatternIsContinuous()
{
    GeneratedBodySource source(3 * 1024 * 1024 + 17);
    QByteArray all;
    for (int i = 0; i < 20; ++i)
        all += source.read(700000);
    QCOMPARE(all.size(), 3 * 1024 * 1024 + 17);
    for (qsizetype i = 64; i < all.size(); i += 4093)
        QCOMPARE(all.at(i), all.at(i % 64));
}

QTEST_GUILESS_MAIN(TestBodySource)
#include "tst_bodysource.moc"
