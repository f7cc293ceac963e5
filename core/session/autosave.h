#pragma once

#include "session.h"

#include <QFuture>
#include <QFutureWatcher>
#include <QLockFile>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class QTimer;

namespace expectlab {

class SessionRecorder;

// Writes the recorder's session to the user's data folder (QStandardPaths::AppDataLocation) a few
// seconds after it changes, so a crash loses at most that much. Each running instance owns one file,
// guarded by a lock file; a file whose lock is free on the next start was left by a crash and can be
// offered for restore. Destroying the object (a normal exit) removes its file.
// The timer's writes run off the caller's thread (QtConcurrent): only the snapshot is taken on it, so
// serialising a large session never stalls the window while exchanges arrive. One write at a time.
class Autosave : public QObject
{
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 3000;

    // Saves the recorder's session whenever it changes.
    explicit Autosave(SessionRecorder *recorder, QObject *parent = nullptr);
    // Saves what provider returns, a few seconds after each markChanged(): for a caller that keeps
    // its rows elsewhere (the workbench: [ws] { return sessionFromWorkbench(*ws, base); }).
    explicit Autosave(std::function<Session()> provider, QObject *parent = nullptr);
    ~Autosave() override;

    static QString directory();
    // Autosave files of instances that did not end normally, newest first.
    static QStringList leftovers();
    static std::optional<Session> restore(const QString &path, QString *error);
    // Deletes a leftover (after it was restored or the user declined).
    static void discard(const QString &path);

    void setIntervalMs(int ms);
    // Takes this instance's lock; false with a message when the folder cannot be used.
    bool start(QString *error = nullptr);
    bool isActive() const { return m_lock != nullptr; }
    QString path() const { return m_path; }
    // Writes now, on this thread, if the session changed since the last write (after any write in
    // flight has finished, so the file never goes back to an older snapshot).
    bool saveNow(QString *error = nullptr);
    // The session changed: write it within the interval.
    void markChanged();

signals:
    void saved(const QString &path);
    void saveFailed(const QString &message);

private:
    // A snapshot to write, or nothing when nothing changed or there is nothing worth restoring.
    std::optional<Session> takeSnapshot();
    void saveInBackground();
    // The background write's result, once (from the watcher, or from saveNow when it waited).
    void takeBackgroundResult();
    bool handleResult(const QString &why, QString *error);

    std::function<Session()> m_provider;
    QFuture<QString> m_writing; // the error of the write in flight, empty on success
    QFutureWatcher<QString> m_watcher;
    bool m_resultPending = false;
    QTimer *m_timer;
    std::unique_ptr<QLockFile> m_lock;
    QString m_path;
    bool m_dirty = false;
    bool m_wroteFile = false;
};

} // namespace expectlab
