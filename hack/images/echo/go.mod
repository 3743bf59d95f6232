module bollard.test/echo

go 1.22
