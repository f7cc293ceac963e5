#pragma once

#include "httpmessage.h"

#include <QByteArrayView>
#include <QList>

namespace expectlab {

// True when the Expect value is 100-continue: case-insensitive, no parameters (R1).
bool isContinueExpectation(QByteArrayView value);

// A request's Expect field read as the list it is (RFC 9110 10.1.1: Expect = #expectation): empty
// members are no members (RFC 9110 5.6.1), 100-continue is case-insensitive (R1).
struct ExpectField
{
    bool present = false;     // the request has at least one Expect field line
    int continues = 0;        // members that are 100-continue
    QList<QByteArray> others; // members that are not, as sent

    // 100-continue and nothing else (given twice, it is still the one expectation).
    bool isContinue() const { return continues > 0 && others.isEmpty(); }
    // Expect present but no member at all: no expectation.
    bool isEmpty() const { return present && continues == 0 && others.isEmpty(); }
};
ExpectField readExpect(const MessageHead &request);

} // namespace expectlab
