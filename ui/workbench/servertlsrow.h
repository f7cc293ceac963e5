#pragma once

#include <QWidget>

class QCheckBox;
class QLabel;
class QPushButton;
class QSettings;

namespace expectlab {

class ServerHost;
struct ServerState;

// The Server panel's HTTPS row (issue 15): a switch that serves HTTPS with the certificate made once
// for 127.0.0.1, ::1 and localhost (LocalCertificate), the certificate's file and SHA-256, and "Copy
// certificate path" / "Export certificate..." so that curl --cacert, Python, .NET or Java can trust it.
class ServerTlsRow : public QWidget
{
    Q_OBJECT
public:
    explicit ServerTlsRow(ServerHost *server, QWidget *parent = nullptr);

    bool isTlsOn() const;
    // Turns HTTPS on or off; on, the certificate is found or made first, and a failure is reported
    // (failed) with the switch left off.
    void setTlsOn(bool on);
    QString certificateFile() const { return m_certFile; }
    // Writes the certificate (PEM) to path; an empty string when it worked, else why not.
    QString exportCertificate(const QString &path) const;

    void saveSettings(QSettings &settings) const;
    void restoreSettings(QSettings &settings);

signals:
    // A sentence for the panel's error line and the status bar.
    void failed(const QString &message);
    void message(const QString &message);

private:
    void onToggled(bool on);
    void onServerState(const ServerState &state);
    void copyPath();
    void exportWithDialog();

    ServerHost *m_server;
    QCheckBox *m_switch;
    QLabel *m_certificate;
    QPushButton *m_copy;
    QPushButton *m_export;
    QString m_certFile;
};

} // namespace expectlab
