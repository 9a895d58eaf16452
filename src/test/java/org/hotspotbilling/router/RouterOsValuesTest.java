package org.hotspotbilling.router;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** How values written to RouterOS are compared with what it reads back. */
class RouterOsValuesTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource(delimiter = '|', value = {
            "2M/5M|2000000/5000000",
            "512k/1500k|512000/1500000",
            "512K/1500k|512000/1500000",
            "2000000/5000000|2000000/5000000",
            "1G/2G|1000000000/2000000000",
            "1.5M/0.5M|1500000/500000",
            "5M|5000000/5000000",
            "0/0|0/0",
            "'  2M/5M '|2000000/5000000",
            "2M/5M 4M/10M 1M/3M 10s/10s 8 512k/1M|2000000/5000000 4000000/10000000 1000000/3000000 10s/10s 8 512000/1000000"})
    void ratesReadInBitsPerSecondEachDirectionSpelledOut(String written, String bps) {
        assertEquals(Optional.of(bps), RouterOsValues.bitsPerSecond(written));
    }

    @ParameterizedTest(name = "{0} is not a rate")
    @ValueSource(strings = { "", "fast", "2X/5M", "2M/5M/1M", "1.5k5", "0.5/1", "-1M/1M" })
    void whatIsNotARateHasNoBitsPerSecond(String written) {
        assertEquals(Optional.empty(), RouterOsValues.bitsPerSecond(written));
    }

    @Test
    void ratesAreTheSameWhateverTheirUnits() {
        assertTrue(RouterOsValues.sameRate("2M/5M", "2000000/5000000"));
        assertTrue(RouterOsValues.sameRate("2000k/5M", "2M/5000k"));
        assertFalse(RouterOsValues.sameRate("2M/5M", "5M/2M"), "upload first: the order matters");
        assertFalse(RouterOsValues.sameRate("2M/5M", null));
        assertFalse(RouterOsValues.sameRate("2M/5M", "2M/5M 4M/10M"), "bursts make another limit");
    }

    @Test
    void flagsReadTrueOrYesAsSet() {
        assertTrue(RouterOsValues.flag("true"));
        assertTrue(RouterOsValues.flag("yes"));
        assertFalse(RouterOsValues.flag("false"));
        assertFalse(RouterOsValues.flag("no"));
        assertFalse(RouterOsValues.flag(null));
    }

    @Test
    void macsAreTheSameWhateverTheirCaseOrSeparator() {
        assertTrue(RouterOsValues.sameMac("02:AB:CD:00:00:01", "02:ab:cd:00:00:01"));
        assertTrue(RouterOsValues.sameMac("02:AB:CD:00:00:01", "02-AB-CD-00-00-01"));
        assertFalse(RouterOsValues.sameMac("02:AB:CD:00:00:01", "02:AB:CD:00:00:02"));
        assertFalse(RouterOsValues.sameMac("02:AB:CD:00:00:01", null));
    }

    @Test
    void aBareAddressTargetIsThatOneHost() {
        assertTrue(RouterOsValues.sameTarget("10.5.50.9/32", "10.5.50.9"));
        assertTrue(RouterOsValues.sameTarget("10.5.50.9/32", "10.5.50.9/32"));
        assertFalse(RouterOsValues.sameTarget("10.5.50.9/32", "10.5.50.0/24"));
        assertFalse(RouterOsValues.sameTarget("10.5.50.9/32", null));
    }
}
