#include "servertlsrow.h"

#include "localcertificate.h"
#include "serverhost.h"

#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QSaveFile>
#include <QSettings>
#include <QVBoxLayout>

namespace expectlab {

ServerTlsRow::ServerTlsRow(ServerHost *server, QWidget *parent)
    : QWidget(parent)
    , m_server(server)
{
    // The switch and the buttons on one line, the certificate under them: the panel is narrow.
    auto *column = new QVBoxLayout(this);
    column->setContentsMargins(0, 0, 0, 0);
    auto *row = new QHBoxLayout;
    column->addLayout(row);
    m_switch = new QCheckBox(tr("HTTPS"), this);
    m_switch->setObjectName(QStringLiteral("serverTls"));
    m_switch->setToolTip(tr("Serve HTTPS (TLS, ALPN http/1.1) with a certificate made once for 127.0.0.1, ::1 and "
                            "localhost and kept in %1. The TLS handshake is a phase of its own on the timeline, "
                            "never part of the expect wait.")
                             .arg(QDir::toNativeSeparators(LocalCertificate::defaultFolder())));
    row->addWidget(m_switch);
    m_certificate = new QLabel(this);
    m_certificate->setObjectName(QStringLiteral("serverCertificate"));
    m_certificate->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_copy = new QPushButton(tr("Copy path"), this);
    m_copy->setObjectName(QStringLiteral("serverCopyCertificatePath"));
    m_copy->setToolTip(tr("Copy the certificate's file path, for curl --cacert FILE or Python's cafile"));
    row->addWidget(m_copy);
    m_export = new QPushButton(tr("Export…"), this);
    m_export->setObjectName(QStringLiteral("serverExportCertificate"));
    m_export->setToolTip(tr("Save a copy of the certificate (PEM) to give to another client or machine"));
    row->addWidget(m_export);
    row->addStretch(1);
    column->addWidget(m_certificate);

    connect(m_switch, &QCheckBox::toggled, this, &ServerTlsRow::onToggled);
    connect(m_copy, &QPushButton::clicked, this, &ServerTlsRow::copyPath);
    connect(m_export, &QPushButton::clicked, this, &ServerTlsRow::exportWithDialog);
    connect(server, &ServerHost::stateChanged, this, &ServerTlsRow::onServerState);
    onServerState(server->state());
}

bool ServerTlsRow::isTlsOn() const
{
    return m_switch->isChecked();
}

void ServerTlsRow::setTlsOn(bool on)
{
    m_switch->setChecked(on);
}

void ServerTlsRow::onToggled(bool on)
{
    if (!on) {
        m_server->setTls(std::nullopt);
        return;
    }
    QString error;
    const std::optional<LocalCertificate> local = LocalCertificate::ensure(LocalCertificate::defaultFolder(), &error);
    if (!local) {
        const QSignalBlocker blocker(m_switch);
        m_switch->setChecked(false);
        emit failed(tr("HTTPS is off: %1").arg(error));
        return;
    }
    m_server->setTls(local->identity);
    if (local->generated)
        emit message(tr("Made a certificate for 127.0.0.1, ::1 and localhost: %1").arg(local->certFile));
}

void ServerTlsRow::onServerState(const ServerState &state)
{
    m_certFile = state.tls ? state.certFile : QString();
    const bool tls = state.tls && !m_certFile.isEmpty();
    m_copy->setVisible(tls);
    m_export->setVisible(tls);
    if (!tls) {
        m_certificate->clear();
        m_certificate->setToolTip(QString());
        m_certificate->setVisible(false);
        return;
    }
    // The fingerprint's ends are what people compare; the tooltip has all of it.
    const QString shortSha = state.certSha256.size() > 20
                                 ? state.certSha256.left(11) + QStringLiteral("…") + state.certSha256.right(5)
                                 : state.certSha256;
    m_certificate->setVisible(true);
    m_certificate->setText(tr("certificate SHA-256 %1").arg(shortSha));
    m_certificate->setToolTip(tr("Certificate %1\nSHA-256 %2\nTrust it with: curl --cacert %1")
                                  .arg(QDir::toNativeSeparators(m_certFile), state.certSha256));
}

void ServerTlsRow::copyPath()
{
    if (m_certFile.isEmpty())
        return;
    QApplication::clipboard()->setText(QDir::toNativeSeparators(m_certFile));
    emit message(tr("Copied %1").arg(QDir::toNativeSeparators(m_certFile)));
}

QString ServerTlsRow::exportCertificate(const QString &path) const
{
    QFile in(m_certFile);
    if (m_certFile.isEmpty() || !in.open(QIODevice::ReadOnly))
        return tr("cannot read the certificate %1: %2").arg(m_certFile, in.errorString());
    const QByteArray pem = in.readAll();
    QSaveFile out(path);
    if (!out.open(QIODevice::WriteOnly) || out.write(pem) != pem.size() || !out.commit())
        return tr("cannot write %1: %2").arg(path, out.errorString());
    return {};
}

void ServerTlsRow::exportWithDialog()
{
    const QString path = QFileDialog::getSaveFileName(this, tr("Export certificate"),
                                                      QDir::home().filePath(QFileInfo(m_certFile).fileName()),
                                                      tr("PEM certificates (*.pem *.crt);;All files (*)"));
    if (path.isEmpty())
        return;
    const QString error = exportCertificate(path);
    if (error.isEmpty())
        emit message(tr("Exported the certificate to %1").arg(QDir::toNativeSeparators(path)));
    else
        emit failed(error);
}

void ServerTlsRow::saveSettings(QSettings &settings) const
{
    settings.setValue(QStringLiteral("server/tls"), isTlsOn());
}

void ServerTlsRow::restoreSettings(QSettings &settings)
{
    setTlsOn(settings.value(QStringLiteral("server/tls"), false).toBool());
}

} // namespace expectlab
