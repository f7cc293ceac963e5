#include "timelineevent.h"

#include <array>
#include <utility>

namespace expectlab {

namespace {
constexpr std::array<std::pair<EventKind, const char *>, 18> kNames{{
    {EventKind::Connect, "connect"},
    {EventKind::Connected, "connected"},
    {EventKind::HeadSent, "head_sent"},
    {EventKind::Interim, "interim"},
    {EventKind::ExpectTimeout, "expect_timeout"},
    {EventKind::Final, "final"},
    {EventKind::ResponseDone, "response_done"},
    {EventKind::Retry, "retry"},
    {EventKind::Accepted, "accepted"},
    {EventKind::Head, "head"},
    {EventKind::InterimSent, "interim_sent"},
    {EventKind::FinalSent, "final_sent"},
    {EventKind::BodyStart, "body_start"},
    {EventKind::BodyDone, "body_done"},
    {EventKind::Closed, "closed"},
    {EventKind::Error, "error"},
    {EventKind::Cancelled, "cancelled"},
    {EventKind::Profile, "profile"},
}};
} // namespace

QString kindName(EventKind kind)
{
    for (const auto &[k, name] : kNames) {
        if (k == kind)
            return QString::fromLatin1(name);
    }
    return QStringLiteral("unknown");
}

bool kindFromName(const QString &name, EventKind *kind)
{
    for (const auto &[k, n] : kNames) {
        if (name == QLatin1String(n)) {
            *kind = k;
            return true;
        }
    }
    return false;
}

QString sideName(Side side)
{
    return side == Side::Client ? QStringLiteral("client") : QStringLiteral("server");
}

} // namespace expectlab
