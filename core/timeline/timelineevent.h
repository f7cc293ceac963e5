#pragma once

#include "httpmessage.h"

#include <QDateTime>
#include <QHostAddress>
#include <QMetaType>
#include <QString>

#include <memory>

namespace expectlab {

struct ClientProfile; // clientprofile.h: what a profile event concluded

// The role an event's party plays on the connection it is about. A party may play both (a proxy is a
// server to its client and a client to its upstream); which party recorded it is the layout's Track.
enum class Side { Client, Server };

// One list of kinds for both sides. The wire names (kindName) are part of the CLI's JSON contract.
enum class EventKind {
    // client
    Connect,
    Connected,
    HeadSent,
    Interim,
    ExpectTimeout,
    Final,
    ResponseDone,
    Retry,
    // server
    Accepted,
    Head,
    InterimSent,
    FinalSent,
    // both
    BodyStart,
    BodyDone,
    Closed,
    Error,
    Cancelled,
    // server: what the client profiler concluded about a foreign client (ClientProfiler)
    Profile,
    // server: a misbehaviour policy sent bytes that are no HTTP response (policy garbage)
    GarbageSent,
    // both: the TLS handshake began (the TCP connection is up) and ended (TlsFacts): a phase of its
    // own between connect and head, never part of the expect wait
    TlsStart,
    TlsDone,
    // proxy: a decision of the relay's own (its own 100, a stripped Expect, a held or buffered body,
    // a 502): TimelineEvent::decision says which (issue 16)
    Decision,
};

// Which hop of the recording proxy an event is about: the client's connection to the proxy
// (downstream: the proxy is its server) or the proxy's connection to the upstream (upstream: the
// proxy is its client). None for every event that is not the proxy's.
enum class Hop : quint8 { None, Downstream, Upstream };

// What the proxy's relay decided (Decision events). Wire names: proxyDecisionName().
enum class ProxyDecision : quint8 {
    None,
    ForwardExpect,  // Expect goes upstream unchanged
    StripExpect,    // Expect removed upstream
    Own100,         // the proxy answered 100 itself (R13)
    HoldBody,       // the body waits for the upstream's 100 or final
    ReleaseBody,    // the hold ended (a 1xx came, or the bound ran out: R5)
    BufferBody,     // the whole body is read before the request goes upstream
    Buffered,       // the whole body is here; the request goes upstream now
    RejectExpect,   // 417 without asking the upstream
    Http10Upstream, // the upstream hop speaks HTTP/1.0
    DropInterim,    // an upstream 1xx not relayed (the proxy caused its own: R18)
    StopUpload,     // an early final: the rest of the body is not forwarded (R21)
    BadGateway,     // 502 (or the response cut short): the upstream failed
    GatewayTimeout, // 504: the upstream went quiet
    RefusedTarget,  // a forward request to a target the proxy does not serve (400, 403, 501)
    ClientGone,     // the client left before its answer: the upstream request is given up
    Tunnel,         // CONNECT: a tunnel opened, recorded as bytes each way (not decrypted)
    TunnelClosed,   // the tunnel ended; bytes: what this hop's peer sent through it
};

// Who ended a connection first (Closed events): our side or the peer.
enum class Closer : quint8 { Unknown, Local, Peer };

// What kind of failure an Error event (and an exchange's error) is: a value scripts and views can
// switch on, where the detail is a sentence for people. Wire names: errorKindName().
enum class ErrorKind : quint8 {
    None,
    InvalidRequest,    // the request could not be built (bad URL, unreadable body file)
    HostNotFound,      // the name did not resolve
    ConnectFailed,     // refused, unreachable, or no connection in time
    Timeout,           // the exchange's own time bound ran out
    Reset,             // the peer reset the connection (RST, not FIN)
    ClosedEarly,       // the peer closed (FIN) before a complete final response
    MalformedResponse, // the response breaks HTTP/1.1 syntax
    InvalidStatus,     // a status code outside 100-599
    UnexpectedUpgrade, // a 101 although we never ask to upgrade
    TooManyInterims,   // more 1xx than kMaxInterimResponses
    SpokeFirst,        // the server sent bytes before our request
    BodyReadFailed,    // the request body's file failed while sending
    Transport,         // any other socket error
    // server side
    MalformedRequest, // 400: the request breaks HTTP/1.1 syntax or RFC 9112 3.2
    HeadTooLarge,     // 431
    BodyTooLarge,     // 413
    HeadTimeout,      // 408 before the head was complete
    BodyTimeout,      // 408 while the body stopped coming
    PeerClosedMidRequest,
    PolicySilent, // policy silent: no response will come
    // TLS (issue 15): why a handshake failed, each with its own sentence and the flag that changes it
    TlsUntrusted,    // the peer's certificate chains to nobody we trust (--cacert, --insecure)
    TlsExpired,      // the peer's certificate expired
    TlsNotYetValid,  // the peer's certificate is not valid yet
    TlsNameMismatch, // the certificate is for another host name
    TlsHandshake,    // any other handshake failure (no shared protocol or cipher, an alert)
    TlsPeerNotTls,   // https:// to a port that does not speak TLS (plain HTTP, most likely)
    TlsPlainRequest, // server: a plain HTTP request on a TLS port
};

// The two ends of a connection, as the socket saw them (Accepted, Connected).
struct Endpoints
{
    QHostAddress localAddress;
    quint16 localPort = 0;
    QHostAddress peerAddress;
    quint16 peerPort = 0;
};

// One key for an address and port, whichever way the socket saw them: a dual-stack server sees an
// IPv4 client as ::ffff:a.b.c.d. Matches a client's local end with the server's peer.
QString endpointKey(const QHostAddress &address, quint16 port);

// What a TLS handshake agreed on and who the peer said it was (TlsDone events, an exchange's
// summary, `send --json`'s "tls").
struct TlsFacts
{
    QString protocol; // "TLSv1.3"
    QString cipher;   // "TLS_AES_256_GCM_SHA384"
    QString alpn;     // the negotiated ALPN protocol, "http/1.1"; empty when none was
    // The peer's certificate; empty when it sent none (a client to our server, usually).
    QString peerSubject;
    QString peerIssuer;
    QDateTime peerNotAfter;
    QString peerSha256; // hex, colon-separated, as curl and browsers show it
};

struct TimelineEvent
{
    qint64 tNs = 0; // monotonicNowNs() when its bytes were handed to or taken from the kernel
    Side side = Side::Client;
    int conn = 0; // server: connection number; client: exchange number
    EventKind kind = EventKind::Error;
    int status = 0;    // 0 when the event has no status
    qint64 bytes = -1; // -1 when the event counts no bytes
    QString detail;    // one sentence for people; code reads the typed fields below, never this
    QString rule;      // rule id of shared/docs/expect-rules.md the event relates to, e.g. "R6"

    // Typed facts, so that views, the profiler and exports never parse `detail`.
    int request = 0;                              // server: 1-based request on its connection; client: attempt
    int stream = 0;                               // HTTP/2 stream id (RFC 9113 5.1); 0 on HTTP/1.1
    Closer closedBy = Closer::Unknown;            // Closed: who closed first
    bool reset = false;                           // Closed, Error: the connection ended with a TCP reset
    qint64 bytesBeforeFinal = -1;                 // Closed (server): unread request bytes that came before our
    qint64 bytesAfterFinal = -1;                  //   early final left, and after it (R19, R21)
    ErrorKind error = ErrorKind::None;            // Error: what failed
    bool notSent = false;                         // an event about our output whose bytes never left
    qint64 bodyNotSent = -1;                      // Final (client): body bytes the answer spared (R21)
    std::shared_ptr<const MessageHead> head;      // Head, HeadSent, Interim, Final: the head itself
    std::shared_ptr<const Endpoints> endpoints;   // Accepted, Connected
    std::shared_ptr<const ClientProfile> profile; // Profile
    std::shared_ptr<const TlsFacts> tls;          // TlsDone
    // The recording proxy's (issue 16): which hop, the exchange both hops of one request share
    // (0: none, e.g. a connection's accepted), and what a Decision event decided.
    Hop hop = Hop::None;
    int exchange = 0;
    ProxyDecision decision = ProxyDecision::None;

    // One event in a single expression; what every recorder (server, client, probe) builds.
    static TimelineEvent at(qint64 tNs, Side side, int conn, EventKind kind, int status = 0, qint64 bytes = -1,
                            QString detail = {}, QString rule = {})
    {
        TimelineEvent e;
        e.tNs = tNs;
        e.side = side;
        e.conn = conn;
        e.kind = kind;
        e.status = status;
        e.bytes = bytes;
        e.detail = std::move(detail);
        e.rule = std::move(rule);
        return e;
    }
    TimelineEvent &withHead(const MessageHead &h)
    {
        head = std::make_shared<const MessageHead>(h);
        return *this;
    }
    TimelineEvent &withRequest(int index)
    {
        request = index;
        return *this;
    }
    TimelineEvent &withError(ErrorKind kind)
    {
        error = kind;
        return *this;
    }

    bool hasStatus() const { return status != 0; }
    bool hasBytes() const { return bytes >= 0; }
};

QString kindName(EventKind kind);
bool kindFromName(const QString &name, EventKind *kind);
QString sideName(Side side);
QString closerName(Closer closer); // "local", "peer"; empty for Unknown
bool closerFromName(const QString &name, Closer *closer);
QString errorKindName(ErrorKind kind); // snake_case wire names; empty for None
bool errorKindFromName(const QString &name, ErrorKind *kind);
QString hopName(Hop hop); // "downstream", "upstream"; empty for None
bool hopFromName(const QString &name, Hop *hop);
QString proxyDecisionName(ProxyDecision decision); // snake_case wire names; empty for None
bool proxyDecisionFromName(const QString &name, ProxyDecision *decision);

} // namespace expectlab

Q_DECLARE_METATYPE(expectlab::TimelineEvent)
