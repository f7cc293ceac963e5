#pragma once

#include <QMainWindow>

class QComboBox;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace expectlab {

class TestServer;
class ExchangeRunner;

// The workbench window in its simplest form: the local test server and a client side by side.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

private:
    void startServer();
    void applyPolicy();
    void send();

    TestServer *m_server;
    QComboBox *m_policy;
    QPlainTextEdit *m_serverLog;
    QLineEdit *m_url;
    QSpinBox *m_bodySize;
    QPushButton *m_send;
    QPlainTextEdit *m_clientLog;
    int m_nextExchange = 1;
};

} // namespace expectlab
