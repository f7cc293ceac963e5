// The certificate `serve --tls` makes for itself (issue 15): made once with OpenSSL's library, reused
// on later starts, made again when missing or expired, and a corrupt file is an error that names it,
// never a crash and never replaced behind the user's back. No sockets: files in a temporary folder.
#include "certificategenerator.h"
#include "localcertificate.h"
#include "tlssettings.h"

#include <QDir>
#include <QFile>
#include <QSaveFile>
#include <QSslCertificateExtension>
#include <QTemporaryDir>
#include <QTest>

using namespace expectlab;

namespace {
bool writeBytes(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size() && f.commit();
}

QByteArray readBytes(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}
} // namespace

class TestLocalCertificate : public QObject
{
    Q_OBJECT
private slots:
    void generatedCertificateHasTheNamesClientsCheck();
    void generatorHonoursChosenDates();
    void madeOnceThenReused();
    void madeAgainWhenMissing_data();
    void madeAgainWhenMissing();
    void madeAgainWhenExpired();
    void corruptFileIsAnErrorNamingIt_data();
    void corruptFileIsAnErrorNamingIt();
    void identityLoadErrors_data();
    void identityLoadErrors();
};

void TestLocalCertificate::generatedCertificateHasTheNamesClientsCheck()
{
    QString error;
    const std::optional<GeneratedCertificate> made = generateCertificate(CertificateRequest(), &error);
    QVERIFY2(made, qPrintable(error));
    QVERIFY(keyMatchesCertificate(made->certificatePem, made->privateKeyPem));
    const QList<QSslCertificate> certs = QSslCertificate::fromData(made->certificatePem, QSsl::Pem);
    QCOMPARE(certs.size(), 1);
    const QSslCertificate &c = certs.first();
    // subjectAltName is what curl, Python, .NET, Go and Java match, not the common name.
    const auto names = c.subjectAlternativeNames();
    QVERIFY(names.values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
    const QStringList ips = names.values(QSsl::IpAddressEntry);
    QVERIFY2(ips.contains(QStringLiteral("127.0.0.1")), qPrintable(ips.join(QLatin1Char(','))));
    QVERIFY2(ips.contains(QStringLiteral("0:0:0:0:0:0:0:1")) || ips.contains(QStringLiteral("::1")),
             qPrintable(ips.join(QLatin1Char(','))));
    // EC P-256, valid now, for long enough to be worth keeping.
    QCOMPARE(c.publicKey().algorithm(), QSsl::Ec);
    QCOMPARE(c.publicKey().length(), 256);
    QVERIFY(c.effectiveDate() <= QDateTime::currentDateTimeUtc());
    QVERIFY(c.expiryDate() > QDateTime::currentDateTimeUtc().addDays(365));
    QVERIFY(c.isSelfSigned());
}

void TestLocalCertificate::generatorHonoursChosenDates()
{
    CertificateRequest request;
    request.notBefore = QDateTime(QDate(2020, 1, 2), QTime(3, 4, 5), Qt::UTC);
    request.notAfter = QDateTime(QDate(2020, 2, 3), QTime(4, 5, 6), Qt::UTC);
    QString error;
    const std::optional<GeneratedCertificate> made = generateCertificate(request, &error);
    QVERIFY2(made, qPrintable(error));
    const QSslCertificate c = QSslCertificate::fromData(made->certificatePem, QSsl::Pem).value(0);
    QCOMPARE(c.effectiveDate(), request.notBefore);
    QCOMPARE(c.expiryDate(), request.notAfter);
}

void TestLocalCertificate::madeOnceThenReused()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString folder = QDir(dir.path()).filePath(QStringLiteral("tls"));
    QString error;
    const std::optional<LocalCertificate> first = LocalCertificate::ensure(folder, &error);
    QVERIFY2(first, qPrintable(error));
    QVERIFY(first->generated);
    QVERIFY(QFile::exists(first->certFile));
    QVERIFY(QFile::exists(first->keyFile));
    // The key is the owner's alone; the certificate is public.
    QCOMPARE(QFile::permissions(first->keyFile) & (QFileDevice::ReadGroup | QFileDevice::ReadOther),
             QFileDevice::Permissions());
    QVERIFY(keyMatchesCertificate(readBytes(first->certFile), readBytes(first->keyFile)));

    const std::optional<LocalCertificate> second = LocalCertificate::ensure(folder, &error);
    QVERIFY2(second, qPrintable(error));
    QVERIFY(!second->generated);
    QCOMPARE(second->identity.sha256(), first->identity.sha256());
    QCOMPARE(second->certFile, first->certFile);
}

void TestLocalCertificate::madeAgainWhenMissing_data()
{
    QTest::addColumn<QString>("removed");
    QTest::newRow("certificate") << "cert";
    QTest::newRow("key") << "key";
    QTest::newRow("both") << "both";
}

void TestLocalCertificate::madeAgainWhenMissing()
{
    QFETCH(QString, removed);
    QTemporaryDir dir;
    QString error;
    const std::optional<LocalCertificate> first = LocalCertificate::ensure(dir.path(), &error);
    QVERIFY2(first, qPrintable(error));
    if (removed != QLatin1String("key"))
        QVERIFY(QFile::remove(first->certFile));
    if (removed != QLatin1String("cert"))
        QVERIFY(QFile::remove(first->keyFile));
    const std::optional<LocalCertificate> again = LocalCertificate::ensure(dir.path(), &error);
    QVERIFY2(again, qPrintable(error));
    QVERIFY(again->generated);
    QVERIFY(again->identity.sha256() != first->identity.sha256());
    QVERIFY(keyMatchesCertificate(readBytes(again->certFile), readBytes(again->keyFile)));
}

void TestLocalCertificate::madeAgainWhenExpired()
{
    QTemporaryDir dir;
    QString error;
    const std::optional<LocalCertificate> first = LocalCertificate::ensure(dir.path(), &error);
    QVERIFY2(first, qPrintable(error));
    // An expired pair where the generated one lives, as a machine left alone for years would have.
    CertificateRequest old;
    old.notBefore = QDateTime::currentDateTimeUtc().addDays(-900);
    old.notAfter = QDateTime::currentDateTimeUtc().addDays(-75);
    const std::optional<GeneratedCertificate> expired = generateCertificate(old, &error);
    QVERIFY2(expired, qPrintable(error));
    QVERIFY(writeBytes(first->certFile, expired->certificatePem));
    QVERIFY(writeBytes(first->keyFile, expired->privateKeyPem));

    const std::optional<LocalCertificate> renewed = LocalCertificate::ensure(dir.path(), &error);
    QVERIFY2(renewed, qPrintable(error));
    QVERIFY(renewed->generated);
    QVERIFY(renewed->identity.chain.first().expiryDate() > QDateTime::currentDateTimeUtc().addDays(365));
}

void TestLocalCertificate::corruptFileIsAnErrorNamingIt_data()
{
    QTest::addColumn<QString>("damaged"); // cert, key or mismatch
    QTest::newRow("certificate is not PEM") << "cert";
    QTest::newRow("key is not PEM") << "key";
    QTest::newRow("key of another certificate") << "mismatch";
}

void TestLocalCertificate::corruptFileIsAnErrorNamingIt()
{
    QFETCH(QString, damaged);
    QTemporaryDir dir;
    QString error;
    const std::optional<LocalCertificate> first = LocalCertificate::ensure(dir.path(), &error);
    QVERIFY2(first, qPrintable(error));
    if (damaged == QLatin1String("cert")) {
        QVERIFY(writeBytes(first->certFile, "-----BEGIN CERTIFICATE-----\nnot base64 at all\n"));
    } else if (damaged == QLatin1String("key")) {
        QVERIFY(writeBytes(first->keyFile, QByteArray(300, '\xff')));
    } else {
        const std::optional<GeneratedCertificate> other = generateCertificate(CertificateRequest(), &error);
        QVERIFY2(other, qPrintable(error));
        QVERIFY(writeBytes(first->keyFile, other->privateKeyPem));
    }
    const QByteArray certBefore = readBytes(first->certFile);
    const QByteArray keyBefore = readBytes(first->keyFile);

    error.clear();
    QVERIFY(!LocalCertificate::ensure(dir.path(), &error));
    QVERIFY2(error.contains(first->certFile) && error.contains(first->keyFile), qPrintable(error));
    QVERIFY2(error.contains(QLatin1String("delete")), qPrintable(error));
    // The user's files are left as they were.
    QCOMPARE(readBytes(first->certFile), certBefore);
    QCOMPARE(readBytes(first->keyFile), keyBefore);
}

void TestLocalCertificate::identityLoadErrors_data()
{
    QTest::addColumn<QString>("cert");  // what the certificate file holds: missing, garbage, good
    QTest::addColumn<QString>("key");   // missing, garbage, good, other
    QTest::addColumn<QString>("named"); // which file the sentence names: cert or key
    QTest::newRow("missing certificate") << "missing"
                                         << "good"
                                         << "cert";
    QTest::newRow("garbage certificate") << "garbage"
                                         << "good"
                                         << "cert";
    QTest::newRow("missing key") << "good"
                                 << "missing"
                                 << "key";
    QTest::newRow("garbage key") << "good"
                                 << "garbage"
                                 << "key";
    QTest::newRow("key of another certificate") << "good"
                                                << "other"
                                                << "key";
}

void TestLocalCertificate::identityLoadErrors()
{
    QFETCH(QString, cert);
    QFETCH(QString, key);
    QFETCH(QString, named);
    QTemporaryDir dir;
    QString error;
    const std::optional<GeneratedCertificate> good = generateCertificate(CertificateRequest(), &error);
    const std::optional<GeneratedCertificate> other = generateCertificate(CertificateRequest(), &error);
    QVERIFY2(good && other, qPrintable(error));
    const QString certFile = QDir(dir.path()).filePath(QStringLiteral("c.pem"));
    const QString keyFile = QDir(dir.path()).filePath(QStringLiteral("k.pem"));
    if (cert != QLatin1String("missing"))
        QVERIFY(writeBytes(certFile, cert == QLatin1String("good") ? good->certificatePem : QByteArray("garbage\n")));
    if (key != QLatin1String("missing"))
        QVERIFY(writeBytes(keyFile, key == QLatin1String("good")    ? good->privateKeyPem
                                    : key == QLatin1String("other") ? other->privateKeyPem
                                                                    : QByteArray("garbage\n")));
    error.clear();
    QVERIFY(!ServerTlsIdentity::load(certFile, keyFile, &error));
    QVERIFY2(error.contains(named == QLatin1String("cert") ? certFile : keyFile), qPrintable(error));
}

QTEST_GUILESS_MAIN(TestLocalCertificate)
#include "tst_localcertificate.moc"
