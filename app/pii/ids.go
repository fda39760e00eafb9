package pii

// residentIDWeights are the GB 11643-1999 weights of the first 17 digits.
var residentIDWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// residentIDCheck maps the weighted sum modulo 11 to the check character.
const residentIDCheck = "10X98765432"

// usccAlphabet is the GB 32100-2015 character set: digits and the upper-case
// letters except I, O, Z, S and V. A character's value is its index.
const usccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// usccWeights are the GB 32100-2015 weights of the first 17 characters.
var usccWeights = [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}

// usccValue maps an ASCII byte to its value in usccAlphabet, or -1.
// Lower-case letters count as their upper-case forms.
func usccValue(c byte) int {
	if 'a' <= c && c <= 'z' {
		c -= 'a' - 'A'
	}
	for i := 0; i < len(usccAlphabet); i++ {
		if usccAlphabet[i] == c {
			return i
		}
	}
	return -1
}

// ValidResidentID reports whether id is an 18-character resident identity
// number of GB 11643-1999: 17 digits whose 7th to 14th form a plausible birth
// date (a real calendar date in the years 1900 to 2099), followed by the check
// character computed with weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 and the
// mod-11 map "10X98765432". A lower-case "x" check character is accepted; use
// NormalizeID before storing. The region code is not checked, so residence
// permits of Hong Kong, Macao and Taiwan residents and the foreigners' permanent
// residence ID card, which share the format, are accepted.
func ValidResidentID(id string) bool {
	if len(id) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		c := id[i]
		if c < '0' || c > '9' {
			return false
		}
		sum += int(c-'0') * residentIDWeights[i]
	}
	check := id[17]
	if check == 'x' {
		check = 'X'
	}
	if check != residentIDCheck[sum%11] {
		return false
	}
	return plausibleBirthDate(id[6:14])
}

// plausibleBirthDate reports whether the 8 digits yyyymmdd are a calendar date
// with 1900 <= yyyy <= 2099.
func plausibleBirthDate(d string) bool {
	year := atoiDigits(d[0:4])
	month := atoiDigits(d[4:6])
	day := atoiDigits(d[6:8])
	if year < 1900 || year > 2099 || month < 1 || month > 12 || day < 1 {
		return false
	}
	return day <= daysIn(year, month)
}

func atoiDigits(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n = n*10 + int(s[i]-'0')
	}
	return n
}

func daysIn(year, month int) int {
	switch month {
	case 2:
		if year%4 == 0 && (year%100 != 0 || year%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	default:
		return 31
	}
}

// ValidUSCC reports whether code is an 18-character unified social credit code
// of GB 32100-2015: every character from "0123456789ABCDEFGHJKLMNPQRTUWXY"
// (lower-case letters are accepted as their upper-case forms; use NormalizeID
// before storing), and the last one equal to the check character 31 - sum%31
// (31 becoming 0) of the first 17 weighted by 1 3 9 27 19 26 16 17 20 29 25
// 13 8 24 10 30 28.
func ValidUSCC(code string) bool {
	if len(code) != 18 {
		return false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v := usccValue(code[i])
		if v < 0 {
			return false
		}
		sum += v * usccWeights[i]
	}
	check := (31 - sum%31) % 31
	return usccValue(code[17]) == check
}
