#include "ruletext.h"

#include <QCoreApplication>

#include <array>

namespace expectlab {

namespace {
struct Rule
{
    const char *id;
    const char *section;
    const char *text;
};

constexpr std::array<Rule, 23> kRules{{
    {"R1", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "a server may answer 417 to any expectation other than 100-continue")},
    {"R2", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "a client must not send Expect: 100-continue on a request without content")},
    {"R3", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "a client that waits for a 100 before sending content must send the expectation")},
    {"R4", "RFC 9110 10.1.1", QT_TRANSLATE_NOOP("Rules", "a client may send the content without waiting for a 100")},
    {"R5", "RFC 9110 10.1.1", QT_TRANSLATE_NOOP("Rules", "a client should not wait indefinitely for a 100")},
    {"R6", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "a client should repeat the request without the expectation after a 417")},
    {"R7", "RFC 9110 10.1.1", QT_TRANSLATE_NOOP("Rules", "a server must ignore 100-continue in an HTTP/1.0 request")},
    {"R8", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "a server may omit the 100 when content already arrived or there is none")},
    {"R9", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "a server that sent a 100 must eventually send a final status")},
    {"R10", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "a server answering before reading all content should say whether it will close")},
    {"R11", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules",
                       "an origin server must at once send a final status or a 100 once the head is complete")},
    {"R12", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "an origin server must not wait for the content before sending the 100")},
    {"R13", "RFC 9110 10.1.1",
     QT_TRANSLATE_NOOP("Rules", "a proxy must answer finally at once or forward the head inbound")},
    {"R14", "RFC 9110 15", QT_TRANSLATE_NOOP("Rules", "a client must treat an unknown 1xx as interim")},
    {"R15", "RFC 9110 15.2", QT_TRANSLATE_NOOP("Rules", "a server must not send any 1xx to an HTTP/1.0 client")},
    {"R16", "RFC 9110 15.2, RFC 9112 6.3",
     QT_TRANSLATE_NOOP("Rules", "a 1xx ends at its header section and has no content")},
    {"R17", "RFC 9110 15.2",
     QT_TRANSLATE_NOOP("Rules", "a client must parse one or more 1xx before the final response")},
    {"R18", "RFC 9110 15.2", QT_TRANSLATE_NOOP("Rules", "a proxy must forward 1xx responses it did not cause")},
    {"R19", "RFC 9112 9.3",
     QT_TRANSLATE_NOOP("Rules", "a server must read the whole body or close after responding (else desync)")},
    {"R20", "RFC 9112 9.3",
     QT_TRANSLATE_NOOP("Rules", "a client must read the whole response before reusing the connection")},
    {"R21", "RFC 9112 9.5",
     QT_TRANSLATE_NOOP("Rules", "a client should stop sending when the server refuses while it uploads")},
    {"R22", "RFC 9112 9.6",
     QT_TRANSLATE_NOOP("Rules", "Connection: close means close; close in stages so the response survives")},
    {"R23", "RFC 9113 8.1",
     QT_TRANSLATE_NOOP("Rules", "in HTTP/2 a response is zero or more 1xx HEADERS then the final HEADERS")},
}};
} // namespace

QString ruleText(const QString &ruleId)
{
    for (const Rule &r : kRules) {
        if (ruleId == QLatin1String(r.id)) {
            return QStringLiteral("%1 (%2): %3")
                .arg(QLatin1String(r.id), QLatin1String(r.section), QCoreApplication::translate("Rules", r.text));
        }
    }
    return {};
}

} // namespace expectlab
