package sqlite

import "time"

// TimeLayout is how timestamps are stored: UTC, microseconds with trailing
// zeros trimmed, as pandas.to_sql writes them.
const TimeLayout = "2006-01-02 15:04:05.999999"

// appendTimestamp appends t in TimeLayout: appendMicros' result, or
// time.Format's for years outside 0 to 9999.
func appendTimestamp(b []byte, t time.Time) []byte {
	t = t.UTC()
	if year := t.Year(); year < 0 || year > 9999 {
		return t.AppendFormat(b, TimeLayout)
	}
	return appendMicros(b, t.UnixMicro())
}

const microsPerDay = 86_400_000_000

// appendMicros appends us (microseconds since the epoch, as a frame holds
// timestamps) in TimeLayout: appendTimestamp's result for years 0 to 9999,
// with the date worked out by arithmetic instead of through time.Time.
func appendMicros(b []byte, us int64) []byte {
	day := us / microsPerDay
	rem := us % microsPerDay
	if rem < 0 {
		day--
		rem += microsPerDay
	}
	year, month, dom := civil(day)
	if year < 0 || year > 9999 {
		return appendTimestamp(b, time.UnixMicro(us))
	}
	sec := rem / 1_000_000
	h, m, s := sec/3600, sec/60%60, sec%60
	b = append(b,
		byte('0'+year/1000), byte('0'+year/100%10), byte('0'+year/10%10), byte('0'+year%10), '-',
		byte('0'+month/10), byte('0'+month%10), '-',
		byte('0'+dom/10), byte('0'+dom%10), ' ',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+m/10), byte('0'+m%10), ':', byte('0'+s/10), byte('0'+s%10))
	frac := rem % 1_000_000
	if frac == 0 {
		return b
	}
	var f [7]byte
	f[0] = '.'
	for i := 6; i >= 1; i-- {
		f[i] = byte('0' + frac%10)
		frac /= 10
	}
	n := 7
	for f[n-1] == '0' {
		n--
	}
	return append(b, f[:n]...)
}

// civil is the proleptic Gregorian date of a day counted from 1970-01-01
// (Howard Hinnant's civil_from_days, chrono-Compatible Low-Level Date
// Algorithms). It is exact for every day an int64 of microseconds reaches.
func civil(days int64) (year, month, day int64) {
	z := days + 719_468
	era := z / 146_097
	if z < 0 && z%146_097 != 0 {
		era--
	}
	doe := z - era*146_097                                    // [0, 146096]
	yoe := (doe - doe/1_460 + doe/36_524 - doe/146_096) / 365 // [0, 399]
	doy := doe - (365*yoe + yoe/4 - yoe/100)                  // [0, 365]
	mp := (5*doy + 2) / 153                                   // [0, 11]
	day = doy - (153*mp+2)/5 + 1
	month = mp + 3
	if mp >= 10 {
		month = mp - 9
	}
	year = yoe + era*400
	if month <= 2 {
		year++
	}
	return year, month, day
}
