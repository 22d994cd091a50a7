package com.example.consumer;

import org.springframework.boot.test.context.SpringBootTest;

/** The suite's first class: the application's own configuration. */
@SpringBootTest
class Suite1DefaultsTests extends AppTests {
}
