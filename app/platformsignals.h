#pragma once

#include <QObject>

// Turns SIGINT and SIGTERM into a Qt signal, so `expectlab serve` can stop cleanly from the event
// loop. The one file of the app that calls the operating system directly.
class TerminationWatcher : public QObject
{
    Q_OBJECT
public:
    explicit TerminationWatcher(QObject *parent = nullptr);
    ~TerminationWatcher() override;

signals:
    void terminationRequested(int signalNumber);
};
