// Types for the natural submodules the baselines import. They are imported one by one, never through
// natural's index, which also loads database clients and dotenv (which prints to stdout).

declare module 'natural/lib/natural/classifiers/classifier.js' {
  /** One scored class of a natural classifier. */
  export interface NaturalClassification {
    label: string;
    value: number;
  }
  /** What natural's classifiers hand to their inner (apparatus) classifier. */
  export interface ApparatusClassifier {
    addExample(features: number[], label: string): void;
    train(): void;
    getClassifications(features: number[]): NaturalClassification[];
    classify(features: number[]): string;
  }
  /** Stemmed bag-of-words classifier base: `features` maps every stem seen in training to its count. */
  export default class Classifier {
    classifier: ApparatusClassifier;
    features: Record<string, number>;
    docs: { label: string; text: string[] }[];
    lastAdded: number;
    stemmer: { tokenizeAndStem(text: string, keepStops?: boolean): string[] };
    keepStops?: boolean;
    addDocument(text: string | string[], classification: string): void;
    train(): void;
    textToFeatures(observation: string | string[]): number[];
    getClassifications(observation: string | string[]): NaturalClassification[];
    classify(observation: string | string[]): string;
  }
}

declare module 'natural/lib/natural/classifiers/bayes_classifier.js' {
  import Classifier from 'natural/lib/natural/classifiers/classifier.js';
  /** Naive Bayes over binary stem features (apparatus's BayesClassifier), add-one smoothing by default. */
  export default class BayesClassifier extends Classifier {
    constructor(stemmer?: unknown, smoothing?: number);
  }
}

declare module 'natural/lib/natural/classifiers/logistic_regression_classifier.js' {
  import Classifier from 'natural/lib/natural/classifiers/classifier.js';
  /** One-vs-rest logistic regression over binary stem features (apparatus's batch gradient descent). */
  export default class LogisticRegressionClassifier extends Classifier {
    constructor(stemmer?: unknown);
  }
}

declare module 'natural/lib/natural/sentiment/SentimentAnalyzer.js' {
  /** Lexicon sentiment: the mean polarity of the words, a negation word flipping the sign of what follows. */
  export default class SentimentAnalyzer {
    constructor(language: string, stemmer: unknown, type: 'afinn' | 'senticon' | 'pattern');
    /** Word -> polarity (a number, or a numeric string for senticon and pattern). */
    vocabulary: Record<string, number | string>;
    getSentiment(words: string[]): number;
  }
}

declare module 'natural/lib/natural/stemmers/porter_stemmer.js' {
  const PorterStemmer: {
    stem(token: string): string;
    tokenizeAndStem(text: string, keepStops?: boolean): string[];
  };
  export default PorterStemmer;
}

declare module 'natural/lib/natural/tokenizers/aggressive_tokenizer.js' {
  /** Splits on anything but letters, digits, `'`, `-` and `/`. */
  export default class AggressiveTokenizer {
    tokenize(text: string): string[];
  }
}
