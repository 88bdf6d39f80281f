/** Words the name detector must not read as names, and given names that are also common words. */

export const AMBIGUOUS = new Set(
  (
    'will may june april august grace hope faith joy mark bill rose amber jack frank art summer ' +
    'page chase hunter sky dawn rich ray gene pat sue rob don guy jean penny ruby jade iris ivy ' +
    'lily daisy violet holly olive pearl crystal destiny harmony melody honey candy sandy misty ' +
    'brook river rain storm star king prince major ace max miles price reed wade cliff dean drew ' +
    'earl glen grant heath lane lee norm pierce ross rusty ward wes young autumn savannah ' +
    'brooklyn genesis kennedy willow paisley nova serenity quinn piper avery harper london paris ' +
    'sydney florence victoria austin jordan georgia virginia carolina dakota israel china india ' +
    'asia eden haven angel christian jesus jesús julia pascal claude alexa siri said can jan sun ' +
    'long min hong lan bo yu ma mercedes luz sol paz dolores blanca soledad consuelo esperanza ' +
    'per madison lincoln charlotte regina otto heinz amar mai nam'
  ).split(' '),
);
export const STOP = new Set(
  (
    'i the a an and or but in on at to for from with by of is are was it we you he she they my ' +
    'your our their this that these those all everyone everybody there team sir madam ' +
    'customer world friend friends folks guys colleagues user support admin mom dad mum ' +
    'doctor professor manager assistant chatgpt gpt ai bot gemini copilot please thanks thank ' +
    'monday tuesday wednesday thursday friday saturday sunday january february march april ' +
    'june july august september october november december montag dienstag mittwoch ' +
    'donnerstag freitag samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche ' +
    'lunes martes miércoles jueves viernes sábado domingo inc ltd llc gmbh corp co street ' +
    'avenue road university hospital bank group company here again sorry yes no ok okay ' +
    'mr mrs ms mx dr prof herr frau fräulein monsieur madame mademoiselle mme mlle señor señora ' +
    'señorita sr sra srta signor signora sig dott senhor senhora meneer mevrouw dhr mevr ' +
    'enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre ' +
    'janeiro fevereiro março maio junho julho setembro outubro novembro dezembro gennaio ' +
    'febbraio aprile maggio giugno luglio settembre ottobre dicembre januari februari maart ' +
    'juni juli augustus oktober styczeń luty marzec kwiecień czerwiec lipiec sierpień ' +
    'wrzesień październik listopad grudzień januar februar märz oktober dezember janvier ' +
    'février mars avril juin juillet août septembre octobre novembre décembre ' +
    'damen herren ladies gentlemen señores messieurs mesdames signori senhores heren dames państwo ' +
    'name names email city phone good morning afternoon evening tutti todos alle leute tous siri alexa google claude'
  ).split(' '),
);
